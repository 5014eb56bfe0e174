package io.sluice.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The MariaDB/MySQL DataSource as Sluice hands it out: every {@link PreparedStatement} answers
 * {@link PreparedStatement#getParameterMetaData()} with the number of {@code ?} placeholders counted in its SQL text,
 * without asking the server.
 *
 * <p>Why: camel-sql asks every statement for its parameter count before binding ({@code SqlProducer.populateStatement})
 * and MariaDB Connector/J 3.5 answers that with a server-side PREPARE (a round trip, the statement parsed once more, a
 * COM_STMT_CLOSE later), on top of the statement it then sends with its values: for the claim's UPDATE of 1,000 ids a
 * second parse of 1,000 placeholders per chunk, and one more round trip per statement to a server on another host.
 * Measured: the server counts no PREPARE any more ({@code ClientSideParameterCountTest}); on loopback the claim's time
 * did not change measurably (bench/README.md, session 10), so it is not what keeps the route behind plain JDBC there.
 * Only the count is answered here; a parameter's type
 * or mode is not known without the server ({@link SQLFeatureNotSupportedException}; Spring asks for a type only to bind
 * a null, and then falls back to its own guess).
 */
final class ClientSideParameterCount extends DelegatingDataSource {

    ClientSideParameterCount(DataSource target) {
        super(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(super.getConnection(username, password));
    }

    private static Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(ClientSideParameterCount.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Forward(connection) {
                    @Override
                    Object answer(Method method, Object[] args) throws Throwable {
                        Object result = super.answer(method, args);
                        if (result instanceof PreparedStatement ps && method.getName().equals("prepareStatement") && args != null
                                && args.length > 0 && args[0] instanceof String sql) {
                            return statement(ps, count(sql));
                        }
                        return result;
                    }
                });
    }

    private static PreparedStatement statement(PreparedStatement ps, int parameters) {
        return (PreparedStatement) Proxy.newProxyInstance(ClientSideParameterCount.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, new Forward(ps) {
                    @Override
                    Object answer(Method method, Object[] args) throws Throwable {
                        if (method.getName().equals("getParameterMetaData") && (args == null || args.length == 0)) {
                            return counted(parameters);
                        }
                        return super.answer(method, args);
                    }
                });
    }

    private static ParameterMetaData counted(int parameters) {
        return (ParameterMetaData) Proxy.newProxyInstance(ClientSideParameterCount.class.getClassLoader(),
                new Class<?>[] {ParameterMetaData.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getParameterCount" -> parameters;
                    case "isWrapperFor" -> false;
                    case "toString" -> "ParameterMetaData(" + parameters + " parameters, counted in the SQL text)";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new SQLFeatureNotSupportedException(method.getName() + ": only the parameter count is known "
                            + "without asking the server");
                });
    }

    /**
     * The {@code ?} placeholders of a MariaDB/MySQL statement: those outside quotes ({@code '…'}, {@code "…"},
     * {@code `…`}, with backslash and doubled-quote escapes) and comments ({@code -- …}, {@code # …}, {@code /* … *&#47;}).
     */
    static int count(String sql) {
        int count = 0;
        int n = sql.length();
        for (int i = 0; i < n; i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = closing(sql, i, c);
            } else if (c == '#' || (c == '-' && i + 2 < n && sql.charAt(i + 1) == '-' && Character.isWhitespace(sql.charAt(i + 2)))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
            } else if (c == '?') {
                count++;
            }
        }
        return count;
    }

    private static int closing(String sql, int open, char quote) {
        for (int i = open + 1; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\\' && quote != '`') {
                i++;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return sql.length();
    }

    /** Forwards every call to the object it wraps, with the wrapped exception, not an UndeclaredThrowableException. */
    private static class Forward implements InvocationHandler {
        private final Object target;

        Forward(Object target) {
            this.target = target;
        }

        @Override
        public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "unwrap":
                    if (args != null && args.length == 1 && ((Class<?>) args[0]).isInstance(proxy)) {
                        return proxy;
                    }
                    break;
                case "equals":
                    return args != null && args.length == 1 && proxy == args[0];
                case "hashCode":
                    if (args == null || args.length == 0) {
                        return System.identityHashCode(proxy);
                    }
                    break;
                default:
                    break;
            }
            return answer(method, args);
        }

        Object answer(Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
