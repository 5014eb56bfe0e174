package io.sluice.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

import io.sluice.db.Database;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The {@code quartz-cluster} component that fires the dispatch tick. On MariaDB/MySQL and PostgreSQL it is Quartz's
 * clustered JDBC job store on Sluice's own database and connection pool: every instance schedules the same trigger,
 * Quartz fires it on exactly one of them per cron time (row locks on QRTZ_LOCKS), and when that instance dies the
 * others notice within the check-in interval and carry on. {@code stateful=true} on the endpoint makes the job
 * non-concurrent across the cluster. On H2 (single instance) it is an in-memory scheduler.
 */
public final class ClusterScheduler {

    public static final String COMPONENT = "quartz-cluster";
    /** Quartz's scheduler name: the same on every instance, it is what makes them one cluster in the QRTZ_ tables. */
    static final String SCHEDULER_NAME = "sluice-dispatch";

    private ClusterScheduler() {
    }

    public static QuartzComponent component(Database database, String instanceId, int checkinIntervalMs) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        p.setProperty("org.quartz.scheduler.instanceId", instanceId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        if (database.vendor() != Database.Vendor.H2) {
            String dataSourceName = dataSourceName(instanceId);
            DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new ConnectionProvider() {
                @Override
                public Connection getConnection() throws SQLException {
                    return database.dataSource().getConnection();
                }

                @Override
                public void shutdown() {
                    // The pool belongs to Sluice and closes with it.
                }

                @Override
                public void initialize() {
                }
            });
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", database.vendor() == Database.Vendor.POSTGRESQL
                    ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate" : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Integer.toString(checkinIntervalMs));
        }
        QuartzComponent component = new QuartzComponent();
        component.setProperties(new java.util.HashMap<>(p));
        // One cluster name on every node (Camel would otherwise add the context name, which is the same anyway).
        component.setPrefixInstanceName(false);
        return component;
    }

    /** Drops this instance's connection provider after a stop (tests start several Sluices in one JVM, one by one). */
    public static void forget(String instanceId) {
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName(instanceId), null);
    }

    private static String dataSourceName(String instanceId) {
        return "sluice-" + instanceId;
    }
}
