package io.sluice;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

import io.sluice.admin.AdminApi;
import io.sluice.cluster.ClusterScheduler;
import io.sluice.cluster.Instances;
import io.sluice.admin.AdminAuth;
import io.sluice.admin.AdminPage;
import io.sluice.admin.EventLog;
import io.sluice.admin.StatusHistory;
import io.sluice.audience.AudienceImporter;
import io.sluice.audience.InboxImports;
import io.sluice.campaign.CampaignStore;
import io.sluice.db.Database;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.DeliveryGuarantee;
import io.sluice.guard.BounceWebhook;
import io.sluice.guard.Guard;
import io.sluice.guard.OperatorAlert;
import io.sluice.guard.Ramp;
import io.sluice.guard.SuppressionSync;
import io.sluice.dispatch.DeliveryRecords;
import io.sluice.dispatch.SendJournal;
import io.sluice.dispatch.Dispatch;
import io.sluice.dispatch.OutcomeBatches;
import io.sluice.dispatch.ProgressLog;
import io.sluice.dispatch.RecipientStats;
import io.sluice.dispatch.RecipientStore;
import io.sluice.dispatch.SendBudget;
import io.sluice.dispatch.SendControl;
import io.sluice.mail.DeliveryGate;
import io.sluice.mail.FailureClassifier;
import io.sluice.mail.MailComposer;
import io.sluice.mail.PooledMailSender;
import io.sluice.mail.UnsubscribeTokens;
import io.sluice.routes.RouteReload;
import io.sluice.settle.OperatorDecisions;
import io.sluice.settle.UnknownRecipients;
import io.sluice.settle.UnknownSettlement;
import io.sluice.routes.RouteValidator;
import io.sluice.mail.Unsubscribes;
import io.sluice.validation.AddressCheck;
import io.sluice.validation.CacheLookups;
import io.sluice.validation.DisposableDomains;
import io.sluice.validation.EmailListVerify;
import io.sluice.validation.LocalChecks;
import io.sluice.validation.NeverBounce;
import io.sluice.validation.PendingAddresses;
import io.sluice.validation.ProviderFailures;
import io.sluice.validation.ValidationCache;
import io.sluice.validation.Validator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.ops.DatabaseReadiness;
import io.sluice.ops.SluiceMetrics;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the beans the YAML routes call, from the settings, and migrates the database. Built in Java because YAML
 * beans are created before configuration classes run and could not reference the DataSource.
 */
public class SluiceConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SluiceConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();

        String mode = settings.get("sluice.delivery.mode").strip().toLowerCase(Locale.ROOT);
        if (!Set.of("smtp", "outbox").contains(mode)) {
            throw new IllegalStateException("sluice.delivery.mode must be smtp or outbox, got: " + mode);
        }
        DeliveryGuarantee guarantee = DeliveryGuarantee.of(settings.get("sluice.delivery.guarantee"));
        // The idempotent consumer's options in recipient-send follow the guarantee.
        context.getPropertiesComponent().addOverrideProperty("sluice.internal.record-before-send",
                Boolean.toString(guarantee.recordBeforeSend()));
        context.getPropertiesComponent().addOverrideProperty("sluice.internal.remove-record-on-failure",
                Boolean.toString(!guarantee.recordBeforeSend()));

        int threads = settings.getInt("sluice.dispatch.threads");
        Database database = new Database(settings.get("sluice.db.url"), settings.get("sluice.db.username", ""),
                settings.get("sluice.db.password", ""), threads + 8);
        database.migrate();
        LOG.info("Database {} migrated ({})", database.vendor(), redact(settings.get("sluice.db.url")));
        SqlFiles sql = new SqlFiles(Path.of(settings.get("sluice.sql.dir")), database.vendor());
        // Routes name their statements {{sluice-sql:<name>}}: the same file Java reads, the working directory's first.
        context.getPropertiesComponent().addPropertiesFunction(sql.propertiesFunction());
        LOG.info("SQL statements for {} from {} ({} files there; the jar's copy for any other)", database.vendor(), sql.dir(),
                sql.filesInDir());
        String instanceId = settings.get("sluice.instance.id", "").isBlank()
                ? UUID.randomUUID().toString().substring(0, 8) : settings.get("sluice.instance.id").strip();
        Instances instances = new Instances(database.dataSource(), sql, instanceId, settings.getDuration("sluice.cluster.heartbeat-timeout"));
        instances.heartbeat();
        // The dispatch cron fires on one instance per period: Quartz's clustered JDBC job store on MariaDB/PostgreSQL.
        context.addComponent(ClusterScheduler.COMPONENT, ClusterScheduler.component(database, instanceId,
                settings.getInt("sluice.cluster.checkin-interval-ms")));

        CampaignStore campaigns = new CampaignStore(database.dataSource(), sql, settings.get("sluice.mail.message-stream"));
        int importBatch = settings.getInt("sluice.import.batch-size");
        ValidationCache validationCache = new ValidationCache(database.dataSource(), sql, importBatch);
        validationCache.setExtraFileCodes(settings.getList("sluice.dispatch.allowed-codes"));
        DisposableDomains disposableDomains = new DisposableDomains(settings.get("sluice.validation.disposable-list", ""));
        LocalChecks localChecks = new LocalChecks(disposableDomains, settings.getBoolean("sluice.validation.refuse-role-accounts"));
        AudienceImporter audience = new AudienceImporter(database.dataSource(), sql, campaigns, importBatch, localChecks, validationCache);
        CacheLookups cacheLookups = new CacheLookups();
        audience.setCacheLookups(cacheLookups, settings.getDuration("sluice.validation.max-age"));
        // The event history: what a person decided (with the reason given) and what Sluice did by itself.
        EventLog events = new EventLog(database.dataSource(), sql);
        SendControl sendControl = new SendControl(database.dataSource(), sql);
        sendControl.setEvents(events);
        sendControl.ensureExists(settings.getInt("sluice.dispatch.initial-send-limit"));
        RecipientStore recipients = new RecipientStore(database.dataSource(), sql, instanceId,
                settings.getDuration("sluice.validation.max-age"));
        RecipientStats stats = new RecipientStats(database.dataSource(), sql, settings.getDuration("sluice.status.waiting-refresh"));
        stats.setValidationMaxAge(settings.getDuration("sluice.validation.max-age"));
        DeliveryRecords deliveryRecords = new DeliveryRecords(database.dataSource(), sql);
        java.nio.file.Path h2File = Database.h2File(settings.get("sluice.db.url"));
        SendJournal journal = null;
        if (h2File != null && guarantee == DeliveryGuarantee.AT_MOST_ONCE) {
            // H2 lost committed delivery records in kill -9 drills: a second record beside its file (see SendJournal).
            journal = new SendJournal(h2File.resolveSibling(h2File.getFileName() + "-send-journal"));
            deliveryRecords.setJournal(journal);
            deliveryRecords.restoreFromJournal(recipients);
        }
        ProgressLog progress = new ProgressLog(campaigns, stats, settings.get("sluice.dispatch.cron"),
                settings.getInt("sluice.dispatch.max-per-second"));
        String serverToken = settings.get("sluice.postmark.server-token", "");
        Guard guard = new Guard(sendControl, !serverToken.isBlank(), settings.getDouble("sluice.guard.bounce-rate-halt"),
                settings.getDouble("sluice.guard.complaint-rate-halt"), settings.getInt("sluice.guard.min-sent"),
                settings.getDuration("sluice.guard.grace"), java.time.Duration.ofMillis(settings.getInt("sluice.guard.timeout-ms")),
                settings.get("sluice.mail.message-stream"),
                settings.getInt("sluice.dispatch.initial-send-limit"), Clock.systemUTC(), campaigns::runningSince);
        Ramp ramp = new Ramp(Ramp.parse(settings.get("sluice.ramp.steps")), settings.getDouble("sluice.guard.bounce-rate-warn"),
                sendControl, ProgressLog.ticksPerHour(settings.get("sluice.dispatch.cron")), Clock.systemUTC());
        guard.setRamp(ramp);
        guard.setEvents(events);
        ramp.setEvents(events);
        guard.setAlert(new OperatorAlert(settings.get("sluice.guard.alert-url", "")));
        org.springframework.jdbc.core.JdbcTemplate guardJdbc = new org.springframework.jdbc.core.JdbcTemplate(database.dataSource());
        guard.setWebhookBounces(() -> guardJdbc.queryForObject(sql.get("webhook-bounces-since"), Long.class,
                java.sql.Timestamp.from(guard.windowStart().truncatedTo(java.time.temporal.ChronoUnit.DAYS))));
        Dispatch dispatch = new Dispatch(sendControl, recipients, deliveryRecords, progress,
                settings.getList("sluice.dispatch.allowed-codes"), guarantee, settings.getDuration("sluice.dispatch.claim-lease"),
                settings.getDuration("sluice.dispatch.retry-after"), settings.getInt("sluice.dispatch.max-attempts"), guard::blocksDispatch,
                new SendBudget(database.dataSource(), sql, settings.get("sluice.dispatch.cron")), instances::alive);
        SluiceMetrics metrics = new SluiceMetrics(meterRegistry(registry), sendControl::readRamp, guard::figures,
                Ramp.parse(settings.get("sluice.ramp.steps")).size(), settings.getDuration("sluice.metrics.snapshot-ttl"),
                Clock.systemUTC());
        dispatch.setOutcomes(metrics);
        metrics.cacheLookups(cacheLookups);
        dispatch.setClaimChunk(settings.getInt("sluice.dispatch.claim-chunk"));
        OutcomeBatches outcomeBatches = new OutcomeBatches(recipients, settings.getInt("sluice.dispatch.outcome-batch"),
                settings.getInt("sluice.dispatch.outcome-max-delay-ms"));
        outcomeBatches.start(context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "outcome-flusher"));
        dispatch.setOutcomeBatches(outcomeBatches);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new DatabaseReadiness(database.dataSource()));
        }
        if (database.vendor() == Database.Vendor.H2) {
            // H2 is single-instance: whatever is still CLAIMED at start belongs to a process that is gone.
            dispatch.recoverStaleClaims(Instant.now());
        } else {
            dispatch.recoverClaimsOfPreviousRun(instanceId);
        }

        boolean demo = settings.getBoolean("sluice.demo.enabled");
        String secret = settings.get("sluice.unsubscribe.secret");
        if (!demo && secret.startsWith("local-demo-secret")) {
            throw new IllegalStateException("sluice.unsubscribe.secret is the demo default: set SLUICE_UNSUBSCRIBE_SECRET "
                    + "(anyone could forge unsubscribe links otherwise)");
        }
        UnsubscribeTokens tokens = new UnsubscribeTokens(secret);
        MailComposer composer = new MailComposer(campaigns, tokens, settings.get("sluice.unsubscribe.base-url"),
                settings.get("sluice.unsubscribe.mailto", ""), settings.get("sluice.mail.message-id-domain"));
        PooledMailSender mailSender = new PooledMailSender(settings.get("sluice.smtp.host"), settings.getInt("sluice.smtp.port"),
                settings.get("sluice.smtp.username", ""), settings.get("sluice.smtp.password", ""),
                settings.getBoolean("sluice.smtp.starttls"), settings.getInt("sluice.smtp.timeout-ms"),
                settings.getInt("sluice.dispatch.retry-attempts"), settings.getInt("sluice.dispatch.retry-delay-ms"),
                guarantee == DeliveryGuarantee.AT_LEAST_ONCE);
        // The delivery breaker: recipient-send's circuitBreaker step uses it (#deliveryBreaker), the tick's gate reads it.
        DeliveryGate deliveryGate = new DeliveryGate(settings.getInt("sluice.delivery.breaker-failures"),
                java.time.Duration.ofSeconds(settings.getInt("sluice.delivery.breaker-open-seconds")),
                settings.getInt("sluice.delivery.breaker-probes"));
        mailSender.setStopRetrying(deliveryGate::isOpen);
        dispatch.setDeliveryGate(deliveryGate::closed);
        ExecutorService dispatchPool = context.getExecutorServiceManager().newFixedThreadPool(this, "dispatch", threads);

        AdminAuth adminAuth = new AdminAuth(settings.get("sluice.admin.token", ""), demo);
        AdminApi adminApi = new AdminApi(campaigns, audience, validationCache, sendControl, stats, dispatch, guard, ramp);
        adminApi.setEvents(events);
        adminApi.setStatusTimeout(settings.getDuration("sluice.status.db-timeout"));
        adminApi.setDeliveryStatus(deliveryGate::status);

        // Provider validation: the validation routes keep the cache ahead of dispatch.
        NeverBounce neverBounce = new NeverBounce(settings.get("sluice.neverbounce.api-key", ""),
                settings.getInt("sluice.neverbounce.timeout-ms"));
        EmailListVerify emailListVerify = new EmailListVerify(settings.get("sluice.emaillistverify.api-key", ""));
        Validator validator = new Validator(List.copyOf(settings.getList("sluice.validation.providers")),
                Map.of(NeverBounce.NAME, neverBounce.configured(), EmailListVerify.NAME, emailListVerify.configured()),
                localChecks, validationCache,
                new PendingAddresses(database.dataSource(), sql, settings.getInt("sluice.validation.scan-window")),
                Clock.systemUTC(), settings.getDuration("sluice.validation.max-age"), settings.getInt("sluice.validation.batch-size"),
                settings.getInt("sluice.validation.retry-attempts"), settings.getInt("sluice.validation.retry-delay-ms"),
                settings.getInt("sluice.validation.retry-max-delay-ms"), settings.getDuration("sluice.validation.retry-pending-after"),
                settings.get("sluice.validation.mode").strip().toLowerCase(Locale.ROOT), settings.getDuration("sluice.validation.bulk-max-wait"));
        validator.setAlert(new OperatorAlert(settings.get("sluice.guard.alert-url", "")));
        validator.setCallListener(metrics::validationCall);
        adminApi.setValidationStatus(() -> {
            Map<String, Object> status = new LinkedHashMap<>(validator.status());
            status.put("cache", cacheLookups.toMap());
            return status;
        });
        int validationThreads = settings.getInt("sluice.validation.threads");
        registry.bind("validator", validator);
        registry.bind("neverBounce", neverBounce);
        registry.bind("emailListVerify", emailListVerify);
        registry.bind("providerFailures", new ProviderFailures());
        registry.bind("validationPool", context.getExecutorServiceManager().newFixedThreadPool(this, "validation", validationThreads));
        // The circuit breakers' time limiters run each call here: one thread per call a provider may have in flight.
        registry.bind("validationCallPool", context.getExecutorServiceManager().newFixedThreadPool(this, "validation-call",
                settings.getInt("sluice.neverbounce.concurrency") + settings.getInt("sluice.emaillistverify.concurrency")));

        registry.bind("database", database);
        registry.bind("sqlFiles", sql);
        // Route recipients-claim: one transaction per chunk on Sluice's DataSource, and its content enricher's merge.
        org.springframework.jdbc.datasource.DataSourceTransactionManager transactions =
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(database.dataSource());
        org.apache.camel.spring.spi.SpringTransactionPolicy claimTransaction = new org.apache.camel.spring.spi.SpringTransactionPolicy(transactions);
        claimTransaction.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        registry.bind("transactionManager", transactions);
        registry.bind("claimTransaction", claimTransaction);
        registry.bind("validationVerdicts", new io.sluice.dispatch.ValidationVerdicts());
        dispatch.setChunkClaimer(new io.sluice.dispatch.ClaimRoute(context));
        registry.bind("dataSource", database.dataSource());
        registry.bind("campaignStore", campaigns);
        registry.bind("audienceImporter", audience);
        registry.bind("validationCache", validationCache);
        registry.bind("sendControl", sendControl);
        registry.bind("recipientStore", recipients);
        registry.bind("deliveryRecords", deliveryRecords);
        registry.bind("dispatch", dispatch);
        registry.bind("sluiceMetrics", metrics);
        registry.bind("instances", instances);
        registry.bind("guard", guard);
        registry.bind("disposableDomains", disposableDomains);
        registry.bind("addressCheck", new AddressCheck(localChecks, validationCache, settings.getInt("sluice.validation.check-limit"),
                cacheLookups, settings.getDuration("sluice.validation.max-age")));
        registry.bind("ramp", ramp);
        registry.bind("suppressionSync", new SuppressionSync(database.dataSource(), sql, importBatch));
        registry.bind("bounceWebhook", new BounceWebhook(settings.get("sluice.webhook.username", ""),
                settings.get("sluice.webhook.password", ""), settings.getInt("sluice.webhook.soft-bounce-limit"),
                database.dataSource(), sql));
        registry.bind("mailComposer", composer);
        registry.bind("pooledMailSender", mailSender);
        registry.bind("failureClassifier", new FailureClassifier());
        registry.bind("deliveryBreaker", deliveryGate.circuitBreaker());
        registry.bind("deliveryGate", deliveryGate);
        registry.bind("dispatchPool", dispatchPool);
        registry.bind("adminAuth", adminAuth);
        registry.bind("adminApi", adminApi);
        registry.bind("requestBodies", new io.sluice.admin.RequestBodies());
        context.addStartupListener(new io.sluice.admin.BodyLimit(settings.getInt("sluice.http.port"), Long.parseLong(settings.get("sluice.http.max-body-bytes").strip())));
        registry.bind("adminPage", new AdminPage());
        registry.bind("statusHistory", new StatusHistory(database.dataSource(), sql, sendControl, guard, stats::byCampaign,
                settings.getDouble("sluice.guard.bounce-rate-warn"), settings.getInt("sluice.history.size"),
                settings.getInt("sluice.history.sample-ms"), settings.getDuration("sluice.history.retention"), Clock.systemUTC()));
        InboxImports inboxImports = new InboxImports(audience, validationCache);
        inboxImports.setEvents(events);
        registry.bind("inboxImports", inboxImports);
        registry.bind("unsubscribeTokens", tokens);
        registry.bind("unsubscribes", new Unsubscribes(tokens, validationCache, database.dataSource(), sql));
        bindSettlement(settings, registry, database, sql, instanceId, campaigns, adminApi, mode, serverToken, events);

        if (settings.getBoolean("sluice.routes.reload")) {
            // Camel's own reload (camel.main.routesReloadEnabled) stays off: it drops the old routes before it knows
            // whether the edited file loads. This one validates first and keeps the running version on a mistake.
            Path routesDir = Path.of(settings.get("sluice.routes.dir"));
            context.addService(new RouteReload(routesDir, "*.camel.yaml", new RouteValidator(context)));
            LOG.info("Live route edits on: saved files in {} are validated and reloaded", routesDir.toAbsolutePath());
        }
        if (demo) {
            DemoSeed.seedIfEmpty(Path.of(settings.get("sluice.demo.samples-dir")), campaigns, audience, validationCache);
        }
        // At 7M recipients this count takes seconds: start it now, after any seeding, so the first status call is ready.
        stats.countInBackground();
        SendJournal sendJournal = journal;
        context.addLifecycleStrategy(new org.apache.camel.support.LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                outcomeBatches.close();
                mailSender.close();
                if (sendJournal != null) {
                    sendJournal.close();
                }
                instances.leave();
                ClusterScheduler.forget(instanceId);
                database.close();
            }
        });
    }

    /**
     * UNKNOWN recipients: the event history, an operator's decisions (POST /api/campaigns/{id}/unknown) and their
     * settlement against Postmark's message log (route unknown-settle), which needs the Postmark token and SMTP delivery.
     */
    private static void bindSettlement(Settings settings, Registry registry, Database database, SqlFiles sql, String instanceId,
                                       CampaignStore campaigns, AdminApi adminApi, String mode, String serverToken,
                                       EventLog events) {
        UnknownRecipients unknown = new UnknownRecipients(database.dataSource(), sql, instanceId, events);
        String off = !settings.getBoolean("sluice.settle.enabled") ? "switched off (sluice.settle.enabled=false)"
                : serverToken.isBlank() ? "no Postmark server token (sluice.postmark.server-token)"
                : !"smtp".equals(mode) ? "delivery mode " + mode + ": nothing goes through Postmark" : null;
        UnknownSettlement settlement = new UnknownSettlement(unknown, events, off, settings.getDuration("sluice.settle.delay"),
                settings.getDuration("sluice.settle.max-age"), settings.getInt("sluice.settle.batch-size"), Clock.systemUTC(),
                meterRegistry(registry));
        if (off == null) {
            LOG.info("UNKNOWN recipients are settled against Postmark's message log once unchanged for {} (sluice.settle.*)",
                    settings.get("sluice.settle.delay"));
        } else {
            LOG.info("Settling UNKNOWN recipients against Postmark's message log is off: {}; a person decides with POST /api/campaigns/<id>/unknown", off);
        }
        adminApi.setSettleStatus(settlement::status);
        registry.bind("eventLog", events);
        registry.bind("unknownSettle", settlement);
        registry.bind("operatorDecisions", new OperatorDecisions(campaigns, unknown));
    }

    /** The Prometheus registry camel-micrometer-prometheus scrapes: created here so Sluice's meters exist from the start. */
    private static MeterRegistry meterRegistry(Registry registry) {
        MeterRegistry found = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        if (found == null) {
            found = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, found);
        }
        return found;
    }

    /** A JDBC URL without its password parameter, for the log. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }
}
