package io.sluice;

import java.nio.charset.StandardCharsets;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
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

    @Test
    void should_keep_a_text_line_whole_when_the_message_holds_line_breaks() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        var layout = context.getConfiguration().getAppender("text").getLayout();
        var event = Log4jLogEvent.newBuilder().setLoggerName("io.sluice.audience.AudienceImporter").setLevel(Level.INFO)
                .setMessage(new SimpleMessage("Imported campaign \"x\nINFO forged line\r\n\"")).build();

        String line = new String(layout.toByteArray(event), StandardCharsets.UTF_8);

        assertThat(line).endsWith("\n").contains("x\\nINFO forged line\\r\\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n").doesNotContain("\r");
    }
}
