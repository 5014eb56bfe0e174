// Sluice operator console: reads GET /api/status, GET /api/status/history and GET /api/events with the admin token
// and draws them every REFRESH_MS; its controls call the same admin API an operator would call with curl (no second
// code path), ask before anything that changes the send, and show the API's answer or refusal as it came. No library
// and no network beyond this server. Text from the server only ever goes in through textContent, never innerHTML (a
// campaign name, a reason, an import reject are operator input).
'use strict';

const REFRESH_MS = 5000;
const TOKEN_KEY = 'sluice.adminToken';
const STATES = ['SENT', 'SKIPPED', 'FAILED', 'UNKNOWN', 'CLAIMED', 'PENDING'];
const SVG = 'http://www.w3.org/2000/svg';

const HISTORY_PAGE = 10000;
const HISTORY_MAX = 100000;

let timer = null;
// The history drawn so far: the first load reads every kept sample (page by page), later ones only what is new.
let history = { samples: [], loaded: false };
let campaignIds = '';

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'className') node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child == null ? '' : String(child)));
  }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

function fmt(n) {
  return n == null ? '–' : Number(n).toLocaleString('en-US');
}

/** A number on the page, tagged with the status field it shows so a test can compare it with GET /api/status. */
function num(key, value, tag) {
  return el(tag || 'span', { 'data-key': key, 'data-value': value == null ? '' : String(value) }, fmt(value));
}

/** Every call carries the bearer header; no cookie is ever sent (credentials: omit), so no other site can act. */
function authHeaders() {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = 'Bearer ' + token();
  return headers;
}

/** What a refused call said: its status and the API's own {"error"} text. */
function refusal(path, status, body) {
  let why = '';
  try { why = JSON.parse(body).error || ''; } catch (ignored) { /* not JSON */ }
  const error = new Error((why || 'no reason given') + ' (' + status + ' from ' + path + ')');
  error.status = status;
  error.unauthorized = status === 401;
  return error;
}

/** GET path; with a body, POST it as JSON (or the method given). */
async function api(path, body, method) {
  const headers = authHeaders();
  const init = { headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined || method) init.method = method || 'POST';
  if (body !== undefined && body !== null) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  if (!response.ok) throw refusal(path, response.status, text);
  return text ? JSON.parse(text) : {};
}

/** A CSV upload with a progress bar: fetch cannot report upload progress, XMLHttpRequest can. */
function upload(path, file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = false;
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', 'text/csv');
    progress.hidden = false;
    progress.value = 0;
    xhr.upload.onprogress = e => { if (e.lengthComputable) progress.value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = () => {
      progress.value = 100;
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText));
      else reject(refusal(path, xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new Error('the upload did not reach Sluice'));
    xhr.send(file);
  });
}

/**
 * Runs one control: asks first when it changes the send, calls the API, shows its answer (or its refusal: nothing
 * changed), and refreshes so the figures show the change.
 */
async function act(label, confirmText, call, describe) {
  const result = document.getElementById('action-result');
  const error = document.getElementById('action-error');
  const raw = document.getElementById('action-answer');
  if (confirmText && !window.confirm(confirmText)) {
    result.textContent = label + ': cancelled, nothing sent.';
    error.textContent = '';
    return null;
  }
  result.textContent = label + '…';
  error.textContent = '';
  try {
    const answer = await call();
    result.textContent = label + ': ' + (describe ? describe(answer) : 'done');
    raw.textContent = JSON.stringify(answer, null, 1);
    raw.hidden = false;
    raw.setAttribute('data-action', label);
    refresh();
    return answer;
  } catch (e) {
    if (e.unauthorized) { refresh(); return null; }
    result.textContent = '';
    raw.hidden = true;
    error.textContent = label + ' refused: ' + e.message + '. Nothing changed.';
    return null;
  }
}

/** A person's decision about a campaign's UNKNOWN recipients (POST /api/campaigns/{id}/unknown), with a reason. */
async function decideUnknown(id, action, n) {
  const verb = action === 'resend' ? 'send again' : 'mark as sent';
  const reason = window.prompt('Why ' + verb + ' the ' + n + ' UNKNOWN recipient(s) of campaign #' + id
    + '? The reason is kept in the event history.');
  if (reason == null || !reason.trim()) return;
  await act('Campaign #' + id + ': ' + verb, null,
    () => api('/api/campaigns/' + encodeURIComponent(id) + '/unknown', { action, reason: reason.trim() }),
    answer => answer.changed + ' UNKNOWN recipient(s) ' + (action === 'resend' ? 'will be sent again.' : 'marked sent.'));
}

/** Start or pause one campaign (POST /api/campaigns/{id}/start | pause): both change the send, so both ask. */
function campaignActions(c) {
  const box = el('div', { className: 'campaign-actions' });
  const running = c.state === 'RUNNING';
  const button = el('button', { type: 'button', 'data-action': running ? 'pause' : 'start', 'data-campaign-id': String(c.id) },
    running ? 'Pause…' : 'Start…');
  button.addEventListener('click', () => {
    const verb = running ? 'pause' : 'start';
    const question = running
      ? 'Pause campaign #' + c.id + ' "' + c.name + '"? Nothing more of it is claimed; claimed recipients finish.'
      : 'Start campaign #' + c.id + ' "' + c.name + '"? Dispatch claims its recipients from the next tick.';
    act('Campaign #' + c.id + ' ' + verb, question,
      () => api('/api/campaigns/' + encodeURIComponent(c.id) + '/' + verb, null),
      answer => 'campaign #' + answer.id + ' is now ' + answer.state);
  });
  box.append(button);
  return box;
}

function unknownActions(c, n) {
  const resend = el('button', { type: 'button' }, 'Send again…');
  const markSent = el('button', { type: 'button' }, 'Mark sent…');
  resend.addEventListener('click', () => decideUnknown(c.id, 'resend', n));
  markSent.addEventListener('click', () => decideUnknown(c.id, 'mark-sent', n));
  return el('div', { className: 'unknown' }, fmt(n) + ' UNKNOWN (the reply was never seen: may or may not have left). ',
    resend, ' ', markSent);
}

function showLogin(message) {
  clearTimeout(timer);
  history = { samples: [], loaded: false };
  document.getElementById('dashboard').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = message || '';
  document.getElementById('token').focus();
}

async function refresh() {
  clearTimeout(timer);
  try {
    const [status, hist, events] = await Promise.all([api('/api/status'), loadHistory(), api('/api/events?limit=50')]);
    document.getElementById('login').hidden = true;
    document.getElementById('dashboard').hidden = false;
    document.getElementById('sign-out').hidden = !token();
    document.getElementById('load-error').textContent = '';
    renderControl(status);
    renderCampaigns(status);
    renderCharts(hist, status);
    renderEvents(events);
    const updated = document.getElementById('updated');
    updated.textContent = 'updated ' + new Date().toLocaleTimeString('en-GB') + ', every ' + REFRESH_MS / 1000 + ' s';
    updated.setAttribute('data-refreshed', String(Date.now()));
  } catch (e) {
    if (e.unauthorized) {
      const had = token();
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(had ? 'That token was refused: it is not the admin token (SLUICE_ADMIN_TOKEN). Nothing is shown without it.' : '');
      return;
    }
    // Keep the last figures on screen and say they are stale.
    document.getElementById('load-error').textContent = 'Could not refresh: ' + e.message;
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

function card(label, value, className) {
  return el('div', { className: 'card ' + (className || '') }, el('div', { className: 'label' }, label),
    value instanceof Node ? el('div', { className: 'value' }, value) : el('div', { className: 'value' }, value));
}

function renderControl(status) {
  const guard = status.guard || {};
  const ramp = status.ramp || {};
  const tick = status.lastTick;
  const cards = [
    card('Send limit per tick', num('sendLimit', status.sendLimit), status.sendLimit === 0 ? 'bad' : ''),
    card('Halted', el('span', { 'data-key': 'halted', 'data-value': String(status.halted) }, status.halted ? 'yes' : 'no'),
      status.halted ? 'bad' : 'good'),
    card('Guard', el('span', { 'data-key': 'guard.state', 'data-value': guard.state }, guard.state),
      guard.state === 'healthy' ? 'good' : guard.state === 'off' ? '' : 'bad'),
    card('Ramp step', el('span', {}, num('ramp.step', ramp.step), ' of ', num('ramp.steps', ramp.steps),
      ramp.overridden ? ' (overridden)' : '')),
    card('Bounce rate', rate('guard.figures.bounceRate', guard.figures && guard.figures.bounceRate, guard.bounceRateHalt)),
    card('Complaint rate', rate('guard.figures.complaintRate', guard.figures && guard.figures.complaintRate, guard.complaintRateHalt)),
    card('UNKNOWN settlement', el('span', { 'data-key': 'settle.enabled', 'data-value': String(!!(status.settle && status.settle.enabled)) },
      status.settle && status.settle.enabled ? "on (Postmark's log)" : 'off: decide below'), ''),
    card('Last tick', tick ? el('span', {}, num('lastTick.sent', tick.sent), ' sent, ', num('lastTick.skipped', tick.skipped),
      ' skipped, ', num('lastTick.failed', tick.failed), ' failed',
      el('span', { className: 'muted' }, ' (limit ', num('lastTick.sendLimit', tick.sendLimit), ', ',
        el('span', { 'data-key': 'lastTick.at', 'data-value': tick.at }, new Date(tick.at).toLocaleTimeString('en-GB')), ')'))
      : 'none yet'),
  ];
  const control = document.getElementById('control');
  control.replaceChildren(...cards);
  document.getElementById('halt-panel').hidden = !status.halted;
  document.getElementById('halt-reason').textContent = status.halted ? (status.haltReason || '') : '';
  document.getElementById('ramp-resume').disabled = !ramp.overridden;
  document.getElementById('ramp-resume').title = ramp.overridden ? '' : 'the ramp already sets the send limit';
  const limitInput = document.getElementById('send-limit-input');
  if (!limitInput.value && document.activeElement !== limitInput) limitInput.placeholder = String(status.sendLimit);
  const ids = (status.campaigns || []).map(c => c.id + ':' + c.name).join('|');
  if (ids !== campaignIds) {
    campaignIds = ids;
    const select = document.getElementById('upload-campaign');
    const chosen = select.value;
    select.replaceChildren(...(status.campaigns || []).map(c => el('option', { value: String(c.id) }, '#' + c.id + ' ' + c.name)));
    if (chosen && [...select.options].some(o => o.value === chosen)) select.value = chosen;
  }
}

function rate(key, value, halt) {
  return el('span', {}, el('span', { 'data-key': key, 'data-value': value == null ? '' : String(value) },
    value == null ? '–' : value + '%'), el('span', { className: 'muted' }, ' / halt ' + halt + '%'));
}

function renderCampaigns(status) {
  const projected = (status.ramp && status.ramp.projectedFinish) || {};
  const list = (status.campaigns || []).map(c => {
    const p = 'campaign.' + c.id + '.';
    const counts = c.counts || {};
    const total = c.total || 0;
    const done = (counts.SENT || 0) + (counts.SKIPPED || 0) + (counts.FAILED || 0) + (counts.UNKNOWN || 0);
    const bar = el('div', { className: 'bar', role: 'img', 'aria-label': 'progress' });
    const legend = el('div', { className: 'legend' });
    for (const state of STATES) {
      const n = counts[state] || 0;
      if (total > 0 && n > 0) {
        const segment = el('span', { className: 'seg-' + state, title: state + ' ' + fmt(n) });
        segment.style.width = (100 * n / total) + '%';
        bar.append(segment);
      }
      legend.append(el('span', {}, el('i', { className: 'seg-' + state }), state.toLowerCase()));
    }
    const stateRows = STATES.map(s => el('tr', {}, el('th', {}, s), num(p + 'counts.' + s, counts[s] || 0, 'td')));
    stateRows.forEach(r => r.lastChild.className = 'num');
    const codes = Object.entries(c.skipped || {}).sort((a, b) => b[1] - a[1]);
    const codeRows = codes.length === 0 ? [el('tr', {}, el('td', { colspan: '2', className: 'muted' }, 'none'))]
      : codes.map(([code, n]) => {
        const row = el('tr', {}, el('th', {}, code), num(p + 'skipped.' + code, n, 'td'));
        row.lastChild.className = 'num';
        return row;
      });
    const finish = projected[String(c.id)];
    return el('article', { className: 'campaign', 'data-campaign': String(c.id) },
      el('h3', {}, '#' + c.id + ' ', el('span', { 'data-key': p + 'name' }, c.name), ' ',
        el('span', { className: 'muted', 'data-key': p + 'state', 'data-value': c.state }, c.state),
        el('span', { className: 'muted' }, ' · stream ' + c.messageStream)),
      el('div', {}, el('strong', { 'data-key': p + 'percentDone', 'data-value': total ? String(100 * done / total) : '0' },
        total ? (100 * done / total).toFixed(1) + '%' : '0%'), ' done: ', num(p + 'done', done), ' of ', num(p + 'total', total),
      ', ', num(p + 'waitingForValidation', c.waitingForValidation), ' waiting for validation',
      finish ? ', projected finish ' + new Date(finish).toLocaleString('en-GB') : ''),
      bar, legend,
      campaignActions(c),
      counts.UNKNOWN > 0 ? unknownActions(c, counts.UNKNOWN) : '',
      el('table', {}, el('caption', {}, 'By state'), ...stateRows),
      el('table', {}, el('caption', {}, 'Skipped by code'), ...codeRows));
  });
  const box = document.getElementById('campaigns');
  box.replaceChildren(...(list.length ? list : [el('p', { className: 'muted' }, 'No campaign yet.')]));
}

/**
 * The history: the first load reads every kept sample page by page (GET /api/status/history?since=...), later loads
 * only those from the last one drawn on (since is inclusive: the last one comes back and is dropped here).
 */
async function loadHistory() {
  let since = history.loaded && history.samples.length ? history.samples[history.samples.length - 1].at : '1970-01-01T00:00:00Z';
  let answer;
  for (let page = 0; page < HISTORY_MAX / HISTORY_PAGE; page++) {
    answer = await api('/api/status/history?since=' + encodeURIComponent(since) + '&limit=' + HISTORY_PAGE);
    const last = history.samples.length ? Date.parse(history.samples[history.samples.length - 1].at) : -Infinity;
    for (const s of answer.samples || []) if (Date.parse(s.at) > last) history.samples.push(s);
    if (!answer.more || !answer.samples.length) break;
    since = answer.samples[answer.samples.length - 1].at;
  }
  if (history.samples.length > HISTORY_MAX) history.samples.splice(0, history.samples.length - HISTORY_MAX);
  history.loaded = true;
  return { ...answer, samples: history.samples };
}

/** An ISO-8601 duration as Java writes it (PT720H) in days or hours for a person. */
function readableDuration(iso) {
  const m = /^PT(\d+)H$/.exec(iso || '');
  if (!m) return iso;
  const hours = Number(m[1]);
  return hours % 24 === 0 ? hours / 24 + (hours === 24 ? ' day' : ' days') : hours + ' h';
}

function renderEvents(answer) {
  const rows = (answer.events || []).map(e => el('tr', { 'data-kind': e.kind, 'data-event': String(e.id) },
    el('td', {}, new Date(e.at).toLocaleString('en-GB')), el('td', {}, e.kind), el('td', {}, e.actor),
    el('td', {}, e.campaign == null ? '' : '#' + e.campaign), el('td', { className: 'reason' }, e.reason || ''),
    el('td', { className: 'detail' }, e.detail == null ? '' : typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail))));
  document.querySelector('#events tbody').replaceChildren(...(rows.length ? rows
    : [el('tr', {}, el('td', { colspan: '6', className: 'muted' }, 'nothing yet'))]));
}

function renderCharts(history, status) {
  const samples = history.samples || [];
  const t = history.thresholds || {};
  const period = history.samplePeriodMs < 1000 ? history.samplePeriodMs + ' ms' : Math.round(history.samplePeriodMs / 1000) + ' s';
  document.getElementById('history-note').textContent = samples.length + ' samples'
    + (samples.length ? ' since ' + new Date(samples[0].at).toLocaleString('en-GB') : '') + ', one every ' + period
    + ' (kept in the database for ' + readableDuration(history.retention) + ')';
  chart('chart-sent', samples, 'sent', [], false);
  chart('chart-send-limit', samples, 'sendLimit', [], true);
  chart('chart-ramp-step', samples, 'rampStep', [], true);
  chart('chart-bounce-rate', samples, 'bounceRate',
    [{ value: t.bounceRateHalt, label: 'halt', className: 'halt' }, { value: t.bounceRateWarn, label: 'ramp holds', className: 'warn' }]);
  chart('chart-complaint-rate', samples, 'complaintRate',
    [{ value: t.complaintRateHalt, label: 'halt', className: 'halt' }, { value: t.complaintRateWarn, label: 'ramp holds', className: 'warn' }]);
}

/** A line chart of one field over time with horizontal threshold lines; steps for stepwise values. */
function chart(id, samples, field, thresholds, stepwise) {
  const W = 480, H = 180, L = 52, R = 12, T = 10, B = 26;
  const points = samples.filter(s => s[field] != null).map(s => ({ t: Date.parse(s.at), v: Number(s[field]) }));
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', 'data-points': String(points.length), role: 'img' });
  let max = Math.max(0, ...points.map(p => p.v), ...thresholds.map(x => Number(x.value) * 1.15));
  if (max === 0) max = 1;
  const t0 = points.length ? points[0].t : Date.now();
  const t1 = points.length > 1 ? points[points.length - 1].t : t0 + 1;
  const x = tt => L + (W - L - R) * (tt - t0) / Math.max(1, t1 - t0);
  const y = v => H - B - (H - B - T) * v / max;
  root.append(svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }));
  root.append(svg('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }));
  for (const frac of [0, 0.5, 1]) {
    root.append(svg('text', { x: L - 4, y: y(max * frac) + 4, 'text-anchor': 'end' }, +(max * frac).toPrecision(3)));
  }
  for (const th of thresholds) {
    if (th.value == null) continue;
    root.append(svg('line', { x1: L, y1: y(th.value), x2: W - R, y2: y(th.value), class: th.className }));
    root.append(svg('text', { x: W - R, y: y(th.value) - 3, 'text-anchor': 'end' }, th.label + ' ' + th.value + '%'));
  }
  if (points.length) {
    let d = '';
    points.forEach((p, i) => {
      if (i === 0) d += `M${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
      else if (stepwise) d += `H${x(p.t).toFixed(1)}V${y(p.v).toFixed(1)}`;
      else d += `L${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
    });
    root.append(svg('path', { d, class: 'line' }));
    const last = points[points.length - 1];
    root.append(svg('circle', { cx: x(last.t), cy: y(last.v), r: 3, fill: '#1565c0' }));
    root.append(svg('text', { x: L, y: H - 8 }, new Date(t0).toLocaleTimeString('en-GB')));
    root.append(svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, new Date(t1).toLocaleTimeString('en-GB')));
  } else {
    root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no figures yet'));
  }
  document.getElementById(id).replaceChildren(root);
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('login-form').addEventListener('submit', event => {
    event.preventDefault();
    const input = document.getElementById('token');
    const value = input.value.trim();
    input.value = '';
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    refresh();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('Signed out.');
  });
  wireControls();
  refresh();
});

/** A whole number from an input, or the text the API would refuse (sent as is: the API says why). */
function numberOrText(value) {
  return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value.trim();
}

function wireControls() {
  document.getElementById('send-limit-form').addEventListener('submit', event => {
    event.preventDefault();
    const value = document.getElementById('send-limit-input').value;
    const reason = document.getElementById('send-limit-reason').value.trim();
    const limit = numberOrText(value);
    const body = reason ? { sendLimit: limit, reason } : { sendLimit: limit };
    act('Send limit', 'Set the send limit to ' + value + ' per tick from the next tick'
      + (Number(value) === 0 ? ' (0: nothing is sent)' : '') + '? The ramp stops moving it until given back.',
      () => api('/api/send-limit', body, 'PUT'),
      answer => 'the next tick sends at most ' + answer.sendLimit + (answer.sendLimit === 0 ? ' (sending stopped)' : ''))
      .then(answer => { if (answer) document.getElementById('send-limit-form').reset(); });
  });
  document.getElementById('resume-form').addEventListener('submit', event => {
    event.preventDefault();
    const reason = document.getElementById('resume-reason').value.trim();
    const limitText = document.getElementById('resume-send-limit').value.trim();
    if (!reason) {
      document.getElementById('action-error').textContent = 'Resume needs a reason: say why it is safe to go on.';
      return;
    }
    const body = limitText ? { sendLimit: numberOrText(limitText), reason } : { reason };
    act('Resume', 'Lift the halt and send again' + (limitText ? ' at ' + limitText + ' per tick' : ' from the ramp\'s first step')
      + '? Reason: ' + reason, () => api('/api/resume', body),
      answer => 'halt lifted, send limit ' + answer.sendLimit)
      .then(answer => { if (answer) document.getElementById('resume-form').reset(); });
  });
  document.getElementById('ramp-resume').addEventListener('click', () => act('Ramp',
    'Give the send limit back to the ramp at its current step?', () => api('/api/ramp/resume', null),
    answer => 'the ramp sets the send limit again: step ' + answer.step + ', ' + answer.stepSendLimit + ' per tick'));
  document.getElementById('suppressions-sync').addEventListener('click', () => act('Suppression sync', null,
    () => api('/api/suppressions/sync', null), answer => fmt(answer.total) + ' suppressions read from Postmark'));
  document.getElementById('validation-run').addEventListener('click', () => act('Validation run',
    'Validate pending addresses now? Provider checks cost credits.', () => api('/api/validation/run', null),
    answer => fmt(answer.selected) + ' selected, ' + fmt(answer.local) + ' judged locally, ' + fmt(answer.cached)
      + ' cached, ' + fmt(answer.leftPending) + ' left pending'));
  document.getElementById('audience-upload').addEventListener('click', () => {
    const file = document.getElementById('audience-file').files[0];
    const campaign = document.getElementById('upload-campaign').value;
    if (!file || !campaign) {
      document.getElementById('action-error').textContent = 'Choose a campaign and a CSV file first.';
      return;
    }
    uploadFile('Audience upload to campaign #' + campaign,
      'Import ' + file.name + ' into campaign #' + campaign + '? Its new recipients are sent to if the campaign runs.',
      '/api/campaigns/' + encodeURIComponent(campaign) + '/audience', file);
  });
  document.getElementById('validation-upload').addEventListener('click', () => {
    const file = document.getElementById('validation-file').files[0];
    if (!file) {
      document.getElementById('action-error').textContent = 'Choose a validation results CSV file first.';
      return;
    }
    uploadFile('Validation results upload', 'Import the validation results in ' + file.name
      + '? The verdicts decide who is sent to.', '/api/validation-results', file);
  });
}

async function uploadFile(label, question, path, file) {
  const progress = document.getElementById('upload-progress');
  const box = document.getElementById('upload-result');
  const answer = await act(label, question, () => upload(path, file, progress),
    a => fmt(a.rows) + ' rows: ' + fmt(a.imported) + ' imported, ' + fmt(a.rejected) + ' rejected');
  document.getElementById('upload-form').reset();
  progress.hidden = true;
  if (!answer) { box.hidden = true; return; }
  box.hidden = false;
  document.getElementById('upload-summary').replaceChildren(label + ': ', num('upload.rows', answer.rows), ' rows, ',
    num('upload.imported', answer.imported), ' imported, ', num('upload.rejected', answer.rejected), ' rejected',
    answer.rejected > (answer.rejects || []).length ? ' (the first ' + answer.rejects.length + ' listed)' : '');
  document.querySelector('#upload-rejects tbody').replaceChildren(...(answer.rejects || []).map(r =>
    el('tr', { className: 'reject' }, el('td', { className: 'num' }, String(r.line)), el('td', {}, r.email || ''), el('td', {}, r.reason))));
}
