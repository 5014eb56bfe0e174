// Sluice progress page: reads GET /api/status and GET /api/status/history with the admin token and draws them,
// every REFRESH_MS. No library and no network beyond this server. Text from the server only ever goes in through
// textContent, never innerHTML (a campaign name is operator input).
'use strict';

const REFRESH_MS = 5000;
const TOKEN_KEY = 'sluice.adminToken';
const STATES = ['SENT', 'SKIPPED', 'FAILED', 'UNKNOWN', 'CLAIMED', 'PENDING'];
const SVG = 'http://www.w3.org/2000/svg';

let timer = null;

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

/** GET path, or POST body as JSON when there is one. */
async function api(path, body) {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = 'Bearer ' + token();
  const init = { headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    init.method = 'POST';
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    const error = new Error('unauthorized');
    error.unauthorized = true;
    throw error;
  }
  if (!response.ok) {
    let why = '';
    try { why = ': ' + (await response.json()).error; } catch (ignored) { /* no JSON error */ }
    throw new Error(path + ' answered ' + response.status + why);
  }
  return response.json();
}

/** A person's decision about a campaign's UNKNOWN recipients (POST /api/campaigns/{id}/unknown), with a reason. */
async function decideUnknown(id, action, n) {
  const verb = action === 'resend' ? 'send again' : 'mark as sent';
  const reason = window.prompt('Why ' + verb + ' the ' + n + ' UNKNOWN recipient(s) of campaign #' + id
    + '? The reason is kept in the event history.');
  if (reason == null || !reason.trim()) return;
  const notice = document.getElementById('action-result');
  try {
    const answer = await api('/api/campaigns/' + encodeURIComponent(id) + '/unknown', { action, reason: reason.trim() });
    notice.textContent = 'Campaign #' + id + ': ' + answer.changed + ' UNKNOWN recipient(s) '
      + (action === 'resend' ? 'will be sent again.' : 'marked sent.');
  } catch (e) {
    if (e.unauthorized) { refresh(); return; }
    notice.textContent = 'Could not ' + verb + ': ' + e.message;
  }
  refresh();
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
  document.getElementById('dashboard').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = message || '';
  document.getElementById('token').focus();
}

async function refresh() {
  clearTimeout(timer);
  try {
    const [status, history] = await Promise.all([api('/api/status'), api('/api/status/history')]);
    document.getElementById('login').hidden = true;
    document.getElementById('dashboard').hidden = false;
    document.getElementById('sign-out').hidden = !token();
    document.getElementById('load-error').textContent = '';
    renderControl(status);
    renderCampaigns(status);
    renderCharts(history, status);
    const updated = document.getElementById('updated');
    updated.textContent = 'updated ' + new Date().toLocaleTimeString('en-GB') + ', every ' + REFRESH_MS / 1000 + ' s';
    updated.setAttribute('data-refreshed', String(Date.now()));
  } catch (e) {
    if (e.unauthorized) {
      const had = token();
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(had ? 'That token was refused.' : '');
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
      ' skipped, ', num('lastTick.failed', tick.failed), ' failed') : 'none yet'),
  ];
  const control = document.getElementById('control');
  control.replaceChildren(...cards);
  if (status.halted && status.haltReason) {
    control.append(el('p', { className: 'error', 'data-key': 'haltReason' }, 'Halted: ' + status.haltReason));
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
      counts.UNKNOWN > 0 ? unknownActions(c, counts.UNKNOWN) : '',
      el('table', {}, el('caption', {}, 'By state'), ...stateRows),
      el('table', {}, el('caption', {}, 'Skipped by code'), ...codeRows));
  });
  const box = document.getElementById('campaigns');
  box.replaceChildren(...(list.length ? list : [el('p', { className: 'muted' }, 'No campaign yet.')]));
}

function renderCharts(history, status) {
  const samples = history.samples || [];
  const t = history.thresholds || {};
  const period = history.samplePeriodMs < 1000 ? history.samplePeriodMs + ' ms' : Math.round(history.samplePeriodMs / 1000) + ' s';
  document.getElementById('history-note').textContent = samples.length + ' samples, one every ' + period
    + ' (kept in memory; a restart starts over)';
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
  refresh();
});
