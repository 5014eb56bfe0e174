package io.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import javax.sql.DataSource;

import io.sluice.db.Database;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.ClaimRoute;
import io.sluice.dispatch.Recipient;
import io.sluice.dispatch.RecipientStore;
import io.sluice.dispatch.ValidationVerdicts;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The two claims {@link ScaleBenchmark}'s compare phase sets side by side, chunk by chunk, on one database:
 *
 * <ul>
 *   <li><b>route</b>: what dispatch runs today, route {@code recipients-claim} with its content enricher
 *       ({@code recipients-claim-verdicts}), loaded from {@code routes/} into a Camel context of its own with the beans
 *       the application binds for it, and asked through {@link ClaimRoute} as Dispatch asks it;</li>
 *   <li><b>before</b>: the claim as it was before that route (main at e0b2725^): one transaction in plain JDBC, the
 *       select of {@code bench/claim-before/<dialect>.sql} with the cached code joined in, the same guarded UPDATE and
 *       read-back, no enricher query;</li>
 *   <li><b>jdbc</b>: {@link RecipientStore#claim}, today's statements and enricher query in plain JDBC, so the figures
 *       tell what the statements cost from what Camel adds.</li>
 * </ul>
 */
final class ClaimComparison implements AutoCloseable {

    private final DefaultCamelContext camel;
    private final ClaimRoute route;
    private final IntFunction<List<Recipient>> before;
    private final IntFunction<List<Recipient>> statements;

    ClaimComparison(Database database, SqlFiles sql, RecipientStore store) throws Exception {
        DataSource dataSource = database.dataSource();
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
        camel = new DefaultCamelContext();
        camel.getPropertiesComponent().addPropertiesFunction(sql.propertiesFunction());
        SpringTransactionPolicy claimTransaction = new SpringTransactionPolicy(transactions);
        claimTransaction.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        camel.getRegistry().bind("dataSource", dataSource);
        camel.getRegistry().bind("sqlFiles", sql);
        camel.getRegistry().bind("recipientStore", store);
        camel.getRegistry().bind("validationVerdicts", new ValidationVerdicts());
        camel.getRegistry().bind("transactionManager", transactions);
        camel.getRegistry().bind("claimTransaction", claimTransaction);
        for (String file : List.of("recipients-claim", "recipients-claim-verdicts")) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveMandatoryResource(camel,
                    "file:" + Path.of("routes", file + ".camel.yaml").toAbsolutePath()));
        }
        camel.start();
        route = new ClaimRoute(camel);
        statements = store::claim;

        String select = Files.readString(Path.of("bench/claim-before", database.vendor().folder() + ".sql"))
                .replaceAll("(?m)^--.*$", "").strip();
        NamedParameterJdbcTemplate named = new NamedParameterJdbcTemplate(dataSource);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate transaction = new TransactionTemplate(transactions);
        String plan = sql.get("recipients-claim-plan");
        String update = sql.named("recipients-claim-update");
        String among = sql.named("recipients-claimed-among");
        before = limit -> transaction.execute(status -> {
            Map<String, Object> params = store.claimParameters(limit);
            if (!plan.isEmpty()) {
                jdbc.execute(plan);
            }
            List<Map<String, Object>> rows = named.queryForList(select, params);
            Map<Long, String> codes = new HashMap<>();
            for (Map<String, Object> row : rows) {
                codes.put(((Number) column(row, "id")).longValue(), (String) column(row, "validation_code"));
            }
            store.candidates(params, rows);
            @SuppressWarnings("unchecked")
            List<Long> ids = (List<Long>) params.get("ids");
            if (ids.isEmpty()) {
                return List.<Recipient>of();
            }
            int updated = named.update(update, params);
            List<Map<String, Object>> taken = updated == ids.size() ? null : named.queryForList(among, params);
            List<Recipient> claimed = store.taken(params, updated, taken);
            List<Recipient> withCodes = new ArrayList<>(claimed.size());
            for (Recipient r : claimed) {
                withCodes.add(new Recipient(r.id(), r.campaignId(), r.email(), r.emailKey(), r.fields(), r.attempts(), codes.get(r.id())));
            }
            return withCodes;
        });
    }

    /**
     * The claim by its name in the benchmark's output: "route", "before", or "jdbc" (today's statement files and the
     * enricher's query run in plain JDBC by RecipientStore.claim: what the route costs beyond its statements).
     */
    IntFunction<List<Recipient>> claim(String kind) {
        return switch (kind) {
            case "route" -> route;
            case "before" -> before;
            case "jdbc" -> statements;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Every recipient came back with the code its cache row holds (the benchmark loads 'valid' for all). */
    static void checkCodes(List<Recipient> claimed, String kind) {
        Set<String> codes = new HashSet<>();
        claimed.forEach(r -> codes.add(String.valueOf(r.validationCode())));
        if (!codes.equals(Set.of("valid"))) {
            throw new IllegalStateException(kind + " claim returned codes " + codes + ", expected only 'valid'");
        }
    }

    private static Object column(Map<String, Object> row, String name) {
        Object value = row.get(name);
        return value != null ? value : row.get(name.toUpperCase(Locale.ROOT));
    }

    @Override
    public void close() {
        camel.stop();
    }
}
