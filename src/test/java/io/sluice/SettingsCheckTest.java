package io.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** A misspelt setting stops the start, naming the closest known key; a renamed one keeps working with a warning. */
class SettingsCheckTest {

    private static final Properties PACKAGED = new Properties();

    static {
        PACKAGED.setProperty("sluice.dispatch.threads", "15");
        PACKAGED.setProperty("sluice.dispatch.max-per-second", "200");
        PACKAGED.setProperty("sluice.validation.disposable-list", "");
        PACKAGED.setProperty("sluice.smtp.password", "{{env:SLUICE_SMTP_PASSWORD:}}");
        PACKAGED.setProperty("sluice.management.username", "{{env:SLUICE_MANAGEMENT_USERNAME:sluice}}");
        PACKAGED.setProperty("camel.main.name", "sluice");
    }

    private final SettingsCheck check = new SettingsCheck(PACKAGED, Map.of("sluice.dispatch.parallel", "sluice.dispatch.threads"));

    @Test
    void an_environment_variable_nobody_reads_names_the_key_it_was_probably_meant_for() {
        assertThat(check.environment(Set.of("SLUICE_DISPATCH_THREDS", "SLUICE_DISPATCH_THREADS", "PATH", "SLUICE_SMTP_PASSWORD")))
                .containsExactly("Unknown setting in environment variable SLUICE_DISPATCH_THREDS: did you mean sluice.dispatch.threads (SLUICE_DISPATCH_THREADS)?");
    }

    @Test
    void a_key_in_a_file_or_a_system_property_is_checked_the_same_way() {
        assertThat(check.keys(Set.of("sluice.validation.disposable-lists", "sluice.dispatch.threads", "camel.main.name", "user.dir"), "-D"))
                .containsExactly("Unknown setting sluice.validation.disposable-lists (-D): did you mean sluice.validation.disposable-list?");
    }

    @Test
    void a_renamed_key_keeps_working_for_one_release() {
        assertThat(check.keys(Set.of("sluice.dispatch.parallel"), "application.properties")).isEmpty();
        assertThat(check.environment(Set.of("SLUICE_DISPATCH_PARALLEL"))).isEmpty();
    }

    @Test
    void every_key_of_the_packaged_settings_is_known() {
        assertThat(check.keys(PACKAGED.stringPropertyNames(), "packaged")).isEmpty();
        assertThat(check.environment(Set.of("SLUICE_DISPATCH_MAX_PER_SECOND", "SLUICE_MANAGEMENT_USERNAME", "SLUICE_LOG_FORMAT"))).isEmpty();
    }
}
