package io.sluice.routes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.catalog.impl.DefaultRuntimeCamelCatalog;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.CircuitBreakerDefinition;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.FromDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.model.language.MethodCallExpression;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;

/**
 * Checks a YAML route file before it runs: it must parse (YAML syntax, known DSL keys), every endpoint URI must name a
 * component on the classpath with options that component has (Camel's catalog, placeholders resolved first), every bean
 * a step calls must be bound, every route configuration a route opts into must exist, and no step may be a toD (its
 * URI, built from message data, goes through placeholder resolution). Used by the build (every file in routes/,
 * RouteFilesTest) and before a live reload (RouteReload), so a typo fails the build or leaves the running route alone
 * instead of taking it down.
 */
public class RouteValidator {

    private final CamelContext context;
    private final DefaultRuntimeCamelCatalog catalog = new DefaultRuntimeCamelCatalog();

    /** Placeholders, beans and route configurations are looked up in this context; it is never changed. */
    public RouteValidator(CamelContext context) {
        this.context = context;
        catalog.setCamelContext(context);
        catalog.start();
    }

    /**
     * The problems of these route files, each naming its file; empty when they may run. Route configurations may come
     * from the files themselves or from the context (a reload of one file uses the others' configurations).
     */
    public List<String> validate(Collection<Resource> resources) {
        List<String> problems = new ArrayList<>();
        List<Parsed> parsed = new ArrayList<>();
        Set<String> configurations = new LinkedHashSet<>();
        context.getCamelContextExtension().getContextPlugin(Model.class).getRouteConfigurationDefinitions()
                .forEach(c -> configurations.add(c.getId()));
        for (Resource resource : resources) {
            try {
                Parsed p = parse(resource);
                p.configurations().forEach(c -> configurations.add(c.getId()));
                parsed.add(p);
            } catch (Exception e) {
                problems.add(name(resource) + ": does not parse: " + message(e));
            }
        }
        for (Parsed p : parsed) {
            String file = name(p.resource());
            for (RouteDefinition route : p.routes()) {
                String where = file + " route " + route.getRouteId();
                if (route.getRouteConfigurationId() != null) {
                    for (String id : route.getRouteConfigurationId().split(",")) {
                        if (!id.isBlank() && !configurations.contains(id.strip())) {
                            problems.add(where + ": no route configuration with id " + id.strip());
                        }
                    }
                }
                FromDefinition from = route.getInput();
                if (from != null) {
                    endpoint(where, from.getEndpointUri(), problems);
                }
                walk(where, route.getOutputs(), problems);
            }
            for (RouteConfigurationDefinition configuration : p.configurations()) {
                String where = file + " route configuration " + configuration.getId();
                configuration.getInterceptFroms().forEach(i -> walk(where, i.getOutputs(), problems));
                configuration.getIntercepts().forEach(i -> walk(where, i.getOutputs(), problems));
                configuration.getInterceptSendTos().forEach(i -> walk(where, i.getOutputs(), problems));
                configuration.getOnExceptions().forEach(o -> walk(where, o.getOutputs(), problems));
                configuration.getOnCompletions().forEach(o -> walk(where, o.getOutputs(), problems));
            }
        }
        return problems;
    }

    /** The ids of the route configurations these files define (files that do not parse define none). */
    public Set<String> routeConfigurationIds(Collection<Resource> resources) {
        Set<String> ids = new LinkedHashSet<>();
        for (Resource resource : resources) {
            try {
                parse(resource).configurations().forEach(c -> ids.add(c.getId()));
            } catch (Exception e) {
                // validate() reports it
            }
        }
        return ids;
    }

    private record Parsed(Resource resource, List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations) {
    }

    /** Loads the file into a scratch context that is never started: nothing consumes, nothing binds a port. */
    private Parsed parse(Resource resource) throws Exception {
        try (DefaultCamelContext scratch = new DefaultCamelContext(false)) {
            scratch.build();
            PluginHelper.getRoutesLoader(scratch).loadRoutes(resource);
            Model model = scratch.getCamelContextExtension().getContextPlugin(Model.class);
            return new Parsed(resource, List.copyOf(model.getRouteDefinitions()), List.copyOf(model.getRouteConfigurationDefinitions()));
        }
    }

    private void walk(String where, List<ProcessorDefinition<?>> outputs, List<String> problems) {
        if (outputs == null) {
            return;
        }
        for (ProcessorDefinition<?> step : outputs) {
            String at = step.getId() == null ? where : where + " step " + step.getId();
            if (step instanceof ToDynamicDefinition dynamic) {
                // Camel resolves {{...}} in the URI a toD builds from the message: message data would read settings
                // and secrets (the CVE-2026-78164 family). Use to with a fixed URI plus CamelHttpPath, or a choice.
                problems.add(at + ": toD " + dynamic.getUri() + ": builds an endpoint URI from message data; use to "
                        + "with a fixed URI (and CamelHttpPath / CamelHttpQuery) or a choice over the known endpoints");
            } else if (step instanceof EndpointRequiredDefinition endpoint) {
                endpoint(at, endpoint.getEndpointUri(), problems);
            }
            if (step instanceof BeanDefinition bean && bean.getRef() != null) {
                bean(at, bean.getRef(), problems);
            }
            if (step instanceof ExpressionNode node) {
                expression(at, node.getExpression(), problems);
            }
            if (step instanceof ChoiceDefinition choice) {
                choice.getWhenClauses().forEach(w -> {
                    expression(at, w.getExpression(), problems);
                    walk(at, w.getOutputs(), problems);
                });
                if (choice.getOtherwise() != null) {
                    walk(at, choice.getOtherwise().getOutputs(), problems);
                }
            }
            if (step instanceof CircuitBreakerDefinition breaker && breaker.getOnFallback() != null) {
                walk(at, breaker.getOnFallback().getOutputs(), problems);
            }
            if (!(step instanceof ChoiceDefinition)) {
                walk(at, step.getOutputs(), problems);
            }
        }
    }

    private void expression(String where, ExpressionDefinition expression, List<String> problems) {
        if (expression instanceof MethodCallExpression method && method.getRef() != null) {
            bean(where, method.getRef(), problems);
        }
    }

    private void bean(String where, String ref, List<String> problems) {
        String name = ref.startsWith("#") ? ref.substring(1) : ref;
        if (context.getRegistry().lookupByName(name) == null) {
            problems.add(where + ": no bean named " + name);
        }
    }

    private void endpoint(String where, String uri, List<String> problems) {
        if (uri == null || uri.contains("${")) {
            return; // dynamic: only known per message
        }
        String resolved;
        try {
            resolved = context.resolvePropertyPlaceholders(uri);
        } catch (Exception e) {
            problems.add(where + ": " + uri + ": " + message(e));
            return;
        }
        String scheme = resolved.contains(":") ? resolved.substring(0, resolved.indexOf(':')) : resolved;
        String known = catalogName(scheme);
        if (known != null && !known.equals(scheme)) {
            // A component registered under its own name (quartz-cluster is a QuartzComponent): check it as its kind.
            resolved = known + resolved.substring(scheme.length());
            scheme = known;
        }
        if (catalog.componentJSonSchema(scheme) == null) {
            // The catalog reads each component's metadata from its jar: none means the build lacks the component.
            problems.add(where + ": " + uri + ": no component " + scheme + " in the build (a typo, or a missing dependency)");
            return;
        }
        EndpointValidationResult result = catalog.validateEndpointProperties(resolved, true);
        if (!result.isSuccess()) {
            problems.add(where + ": " + uri + ": " + describe(result));
        }
    }

    /** The catalog name of a component registered in the context under another name, from its class's annotation. */
    private String catalogName(String scheme) {
        if (catalog.componentJSonSchema(scheme) != null) {
            return scheme;
        }
        org.apache.camel.Component component = context.hasComponent(scheme);
        org.apache.camel.spi.annotations.Component kind = component == null ? null
                : component.getClass().getAnnotation(org.apache.camel.spi.annotations.Component.class);
        return kind == null ? null : kind.value().split(",")[0].strip();
    }

    /** The catalog's findings in one line: option names with what is wrong with their values. */
    private static String describe(EndpointValidationResult result) {
        List<String> found = new ArrayList<>();
        if (result.getSyntaxError() != null) {
            found.add("syntax error " + result.getSyntaxError());
        }
        if (result.getUnknown() != null) {
            result.getUnknown().forEach(o -> found.add("unknown option " + o + (result.getUnknownSuggestions() != null
                    && result.getUnknownSuggestions().get(o) != null ? " (did you mean " + String.join(", ", (String[]) result.getUnknownSuggestions().get(o)) + "?)" : "")));
        }
        if (result.getRequired() != null) {
            result.getRequired().forEach(o -> found.add("missing required option " + o));
        }
        addAll(found, "not a duration", result.getInvalidDuration());
        addAll(found, "not a whole number", result.getInvalidInteger());
        addAll(found, "not a number", result.getInvalidNumber());
        addAll(found, "not true or false", result.getInvalidBoolean());
        addAll(found, "not one of the allowed values", result.getInvalidEnum());
        addAll(found, "not a #bean reference", result.getInvalidReference());
        if (result.getIncapable() != null) {
            found.add("cannot validate: " + result.getIncapable());
        }
        return found.isEmpty() ? result.summaryErrorMessage(false).strip().replaceAll("\\s+", " ") : String.join(", ", found);
    }

    private static void addAll(List<String> found, String what, Map<?, ?> options) {
        if (options != null) {
            options.forEach((option, value) -> found.add("option " + option + "=" + value + " is " + what));
        }
    }

    private static String name(Resource resource) {
        String location = resource.getLocation();
        return location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf(':')) + 1);
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return Arrays.stream(text.split("\\R")).map(String::strip).filter(s -> !s.isEmpty()).limit(8)
                .reduce((a, b) -> a + " " + b).orElse(text);
    }
}
