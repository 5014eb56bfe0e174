package io.sluice;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SLUICE_LOG_FORMAT is checked before anything logs: log4j2.xml would otherwise pick no appender and log nothing. */
class SluiceLogFormatTest {

    @Test
    void should_default_to_text_and_accept_json_in_any_case() {
        assertThat(Sluice.logFormat(null)).isEqualTo("text");
        assertThat(Sluice.logFormat(" ")).isEqualTo("text");
        assertThat(Sluice.logFormat(" JSON ")).isEqualTo("json");
        assertThat(Sluice.logFormat("text")).isEqualTo("text");
    }

    @Test
    void should_refuse_an_unknown_format_with_its_name() {
        assertThatThrownBy(() -> Sluice.logFormat("xml")).hasMessage("SLUICE_LOG_FORMAT must be text or json, got: xml");
    }
}
