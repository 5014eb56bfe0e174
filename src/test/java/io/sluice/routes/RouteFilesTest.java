package io.sluice.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.sluice.support.SluiceRunner;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Build-time validation of routes/: every YAML file parses, every endpoint URI names a component in the build with
 * options it has (Camel's catalog, placeholders resolved from application.properties), every bean a step calls is
 * bound and every route configuration a route opts into exists. A typo fails ./mvnw verify, not production.
 */
class RouteFilesTest {

    private static SluiceRunner sluice;
    private static RouteValidator validator;

    @BeforeAll
    static void start() {
        sluice = new SluiceRunner(SluiceRunner.tempDir("route-files")).start();
        validator = new RouteValidator(sluice.context());
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    @Test
    void every_route_file_parses_and_names_real_endpoints_beans_and_configurations() throws IOException {
        List<Resource> files;
        try (Stream<Path> paths = Files.list(Path.of("routes"))) {
            files = paths.filter(p -> p.toString().endsWith(".camel.yaml")).sorted()
                    .map(p -> ResourceHelper.resolveResource(sluice.context(), "file:" + p.toAbsolutePath())).toList();
        }
        assertThat(files).hasSizeGreaterThan(30);

        assertThat(validator.validate(files)).as("problems in routes/").isEmpty();
    }

    @Test
    void should_report_a_typo_in_an_endpoint_option() {
        assertThat(check("""
                - route:
                    id: typo-option
                    from:
                      uri: "timer:typo"
                      parameters:
                        peroid: 1000
                      steps:
                        - to: "direct:somewhere"
                """)).singleElement().asString().contains("typo-option", "unknown option peroid");
    }

    @Test
    void should_report_an_option_with_a_value_of_the_wrong_type_after_placeholders() {
        assertThat(check("""
                - route:
                    id: wrong-type
                    from:
                      uri: "timer:wrong?period={{sluice.smtp.host}}"
                      steps:
                        - log: "tick"
                """)).singleElement().asString().contains("wrong-type", "period", "localhost");
    }

    @Test
    void should_report_a_component_the_build_does_not_have() {
        assertThat(check("""
                - route:
                    id: no-component
                    from:
                      uri: "direct:no-component"
                      steps:
                        - to: "kafka:sends"
                """)).singleElement().asString().contains("no-component", "kafka");
    }

    @Test
    void should_report_yaml_the_dsl_does_not_know() {
        assertThat(check("""
                - route:
                    id: bad-key
                    from:
                      uri: "direct:bad-key"
                      stepz:
                        - log: "x"
                """)).singleElement().asString().contains("does not parse");
    }

    @Test
    void should_report_an_unknown_bean_route_configuration_and_placeholder() {
        assertThat(check("""
                - route:
                    id: unknown-names
                    routeConfigurationId: "admin-api-auth,admin-api-errorz"
                    from:
                      uri: "direct:unknown-names"
                      steps:
                        - bean:
                            ref: adminApy
                            method: status
                        - to: "{{sluice.no-such-setting}}"
                """)).anySatisfy(p -> assertThat(p).contains("no route configuration with id admin-api-errorz"))
                .anySatisfy(p -> assertThat(p).contains("no bean named adminApy"))
                .anySatisfy(p -> assertThat(p).contains("sluice.no-such-setting"))
                .hasSize(3);
    }

    @Test
    void should_refuse_a_toD_whose_uri_comes_from_the_message() {
        assertThat(check("""
                - route:
                    id: dynamic-uri
                    from:
                      uri: "direct:dynamic-uri"
                      steps:
                        - toD:
                            id: dynamic-uri-call
                            uri: "direct:validation-${exchangeProperty.validationProvider}-check"
                """)).singleElement().asString().contains("dynamic-uri-call", "toD", "message data");
    }

    private static List<String> check(String yaml) {
        return validator.validate(List.of(ResourceHelper.fromString("file:broken.camel.yaml", yaml)));
    }
}
