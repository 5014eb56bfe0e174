package io.sluice.routes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live route edits (sluice.routes.reload): a saved routes/*.camel.yaml replaces the routes of that file, and only
 * those, without a restart. Camel 4.18.0's own reload removes the old routes before it knows whether the new file
 * loads, so a typo would leave Sluice without them (with removeAllRoutes, without any route at all). Here the file is
 * validated first (RouteValidator) and refused with the reason in the log while the running version stays; should the
 * new version still fail while starting, the last version that ran is loaded again from memory.
 */
public class RouteReload extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReload.class);

    private final Path directory;
    private final java.nio.file.PathMatcher pattern;
    private final RouteValidator validator;
    /** The content that runs now, by resource location: what a failed start goes back to (the disk holds the new one). */
    private final Map<String, byte[]> running = new ConcurrentHashMap<>();

    public RouteReload(Path directory, String pattern, RouteValidator validator) {
        super(directory.toAbsolutePath().toString(), false);
        this.directory = directory.toAbsolutePath();
        this.pattern = directory.getFileSystem().getPathMatcher("glob:" + pattern);
        this.validator = validator;
        setPattern(pattern);
        // Only the routes of the saved file are replaced; every other route keeps running untouched.
        setRemoveAllRoutes(false);
    }

    @Override
    protected void doStart() throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (pattern.matches(file.getFileName())) {
                    running.put("file:" + file, Files.readAllBytes(file));
                }
            }
        }
        super.doStart();
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null || resources.isEmpty()) {
            super.onRouteReload(resources, removeEverything);
            return;
        }
        for (Resource resource : resources) {
            if (!resource.exists()) {
                LOG.warn("Route file {} was deleted: its routes keep running until the next restart", resource.getLocation());
                return;
            }
        }
        // One save often arrives as several file events (truncate, write): a file that is empty for the moment, or
        // holds exactly what runs, needs no reload (and a needless reload briefly takes its HTTP paths away).
        boolean changed = false;
        for (Resource resource : resources) {
            byte[] content = content(resource);
            if (new String(content, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                LOG.warn("Route file {} is empty: its routes keep running", resource.getLocation());
                return;
            }
            changed |= !Arrays.equals(content, running.get(resource.getLocation()));
        }
        if (!changed) {
            LOG.debug("Route file {} unchanged: nothing to reload", locations(resources));
            return;
        }
        List<String> problems = validator.validate(resources);
        if (!problems.isEmpty()) {
            LOG.error("Route file {} NOT reloaded, the running version stays: {}", locations(resources), String.join("; ", problems));
            return;
        }
        // A route takes its configurations (error handling, the admin token check) when it is created: an edited
        // routeConfiguration only applies once the routes that opt into it are created again, so reload them too.
        resources = withRoutesUsing(validator.routeConfigurationIds(resources), resources);
        try {
            super.onRouteReload(resources, removeEverything);
            resources.forEach(r -> running.put(r.getLocation(), content(r)));
            LOG.info("Route file {} reloaded", locations(resources));
        } catch (RuntimeException e) {
            LOG.error("Route file {} NOT reloaded, it failed to start: {}. Putting back the version that ran.",
                    locations(resources), rootMessage(e));
            List<Resource> previous = resources.stream().filter(r -> running.containsKey(r.getLocation()))
                    .map(r -> ResourceHelper.fromBytes(r.getLocation(), running.get(r.getLocation()))).toList();
            if (previous.isEmpty()) {
                LOG.error("Route file {}: no earlier version is known (a new file?); its routes are not running", locations(resources));
                return;
            }
            try {
                super.onRouteReload(previous, false);
                LOG.warn("Route file {}: the version that ran before is running again", locations(resources));
            } catch (RuntimeException again) {
                LOG.error("Route file {}: the previous version could not be started again either: {}. Restart Sluice.",
                        locations(resources), rootMessage(again));
            }
        }
    }

    private Collection<Resource> withRoutesUsing(Set<String> configurationIds, Collection<Resource> resources) {
        if (configurationIds.isEmpty()) {
            return resources;
        }
        Map<String, Resource> all = new LinkedHashMap<>();
        resources.forEach(r -> all.put(r.getLocation(), r));
        Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
        for (RouteDefinition route : model.getRouteDefinitions()) {
            String ids = route.getRouteConfigurationId();
            Resource source = route.getResource();
            if (ids != null && source != null && Arrays.stream(ids.split(",")).map(String::strip).anyMatch(configurationIds::contains)) {
                all.putIfAbsent(source.getLocation(), source);
            }
        }
        if (all.size() > resources.size()) {
            LOG.info("Route configuration(s) {} changed: also reloading {} route file(s) that use them", configurationIds,
                    all.size() - resources.size());
        }
        return List.copyOf(all.values());
    }

    private static byte[] content(Resource resource) {
        try (InputStream in = resource.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource.getLocation(), e);
        }
    }

    private static String locations(Collection<Resource> resources) {
        return String.join(", ", resources.stream().map(Resource::getLocation).toList());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
