package io.sluice.audience;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Files dropped into the inbox are imported, their bad rows land in a rejects file, and the file moves on. */
class InboxImportTest {

    private SluiceRunner sluice;
    private Path inbox;

    @BeforeEach
    void start() {
        Path dir = SluiceRunner.tempDir("inbox");
        inbox = dir.resolve("inbox");
        sluice = new SluiceRunner(dir).start();
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void should_import_an_audience_file_and_write_rejects_with_line_and_reason() throws Exception {
        long id = sluice.bean("campaignStore", io.sluice.campaign.CampaignStore.class)
                .insert("inbox", "news@example.com", "s", "t", null, "broadcast");
        String csv = """
                email,first_name
                ada@example.com,Ada
                "broken@example.com,Broken
                grace@example.com,Grace,extra
                ADA@example.com,Again
                bad address,Bad
                alan@example.com,"Alan, the ""first""\"
                """;
        Path campaignDir = Files.createDirectories(inbox.resolve("audience").resolve(Long.toString(id)));
        Files.writeString(campaignDir.resolve("members.csv"), csv, StandardCharsets.UTF_8);

        Path done = inbox.resolve("audience/done/" + id + "/members.csv");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(done));

        assertThat(sluice.jdbc().queryForList("SELECT email FROM recipient WHERE campaign_id = ? ORDER BY id", String.class, id))
                .containsExactly("ada@example.com", "alan@example.com");
        assertThat(sluice.jdbc().queryForObject("SELECT fields FROM recipient WHERE email = 'alan@example.com'", String.class))
                .contains("Alan, the \\\"first\\\"");
        String rejects = Files.readString(inbox.resolve("audience/done/" + id + "/members.rejects.csv"));
        assertThat(rejects.lines().findFirst()).contains("line,email,reason");
        assertThat(rejects.lines().skip(1)).as("duplicates are found when their batch is written, so order may differ")
                .containsExactlyInAnyOrder(
                "3,,unterminated quoted field",
                "4,,\"expected 2 fields, found 3\"",
                "5,ADA@example.com,duplicate of line 2",
                "6,bad address,unparseable address: whitespace or control character in address");
    }

    @Test
    void should_move_a_file_for_an_unknown_campaign_to_error() throws Exception {
        Path campaignDir = Files.createDirectories(inbox.resolve("audience").resolve("424242"));
        Files.writeString(campaignDir.resolve("members.csv"), "email\na@example.com\n");

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(inbox.resolve("audience/error/424242/members.csv")));
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient", Integer.class)).isZero();
    }

    @Test
    void should_fill_the_cache_from_a_validation_results_file() throws Exception {
        Path dir = Files.createDirectories(inbox.resolve("validation-results"));
        Files.writeString(dir.resolve("neverbounce.csv"), "email,result\na@example.com,valid\nb@example.com,catchall\n");

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("done/neverbounce.csv")));
        assertThat(sluice.jdbc().queryForList("SELECT text_code FROM email_validation_cache ORDER BY email", String.class))
                .containsExactly("valid", "catchall");
    }
}
