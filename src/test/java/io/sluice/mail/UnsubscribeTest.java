package io.sluice.mail;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 8058 one-click unsubscribe through the link Sluice puts in every message. */
class UnsubscribeTest {

    private SluiceRunner sluice;
    private String token;

    @BeforeEach
    void start() {
        sluice = new SluiceRunner(SluiceRunner.tempDir("unsubscribe")).start();
        long campaign = sluice.campaign("Hello", "Hi", null, "email\nada@example.com\n", "email,code\nada@example.com,valid\n");
        long recipient = ((Number) sluice.row("ada@example.com").get("ID")).longValue();
        token = sluice.bean("unsubscribeTokens", UnsubscribeTokens.class).sign(campaign, recipient);
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    private String code() {
        return sluice.jdbc().queryForObject("SELECT text_code FROM email_validation_cache WHERE email = 'ada@example.com'", String.class);
    }

    @Test
    void should_unsubscribe_at_once_on_a_one_click_post_and_never_mail_again() {
        HttpResponse<String> answer = sluice.call("POST", "/unsubscribe/" + token, "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click", null);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(code()).isEqualTo("unsubscribed");

        sluice.call("POST", "/api/validation-results", "text/csv", "email,code\nada@example.com,valid\n");
        assertThat(code()).as("a later validation result does not make the address mailable again").isEqualTo("unsubscribed");

        sluice.tick();
        assertThat(sluice.row("ada@example.com")).containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "unsubscribed");
    }

    @Test
    void should_show_a_confirmation_page_on_get_without_unsubscribing() {
        HttpResponse<String> page = sluice.call("GET", "/unsubscribe/" + token, null, null, null);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=post>", "List-Unsubscribe", "One-Click");
        assertThat(code()).isEqualTo("valid");
    }

    @Test
    void should_refuse_a_forged_or_altered_token_and_change_nothing() {
        String altered = token.replaceFirst("^(\\d+)\\.(\\d+)\\.", "$1.999.");
        HttpResponse<String> forged = sluice.call("POST", "/unsubscribe/" + altered, "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click", null);
        HttpResponse<String> garbage = sluice.call("POST", "/unsubscribe/not-a-token", "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click", null);
        HttpResponse<String> wrongBody = sluice.call("POST", "/unsubscribe/" + token, "text/plain", "please", null);

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(garbage.statusCode()).isEqualTo(403);
        assertThat(wrongBody.statusCode()).isEqualTo(400);
        assertThat(code()).isEqualTo("valid");
    }

    @Test
    void should_refuse_forged_and_outdated_links_with_a_short_text_and_no_internals() {
        String altered = token.replaceFirst("^(\\d+)\\.(\\d+)\\.", "$1.999.");
        // Links never expire (a person may unsubscribe from an old mail); a link signed under a secret since rotated is
        // the one that no longer works, refused like a forged one.
        String oldSecret = new UnsubscribeTokens("a-rotated-secret-0123456789").sign(1, 1);
        List<HttpResponse<String>> refused = new ArrayList<>();
        for (String link : List.of(altered, "not-a-token", oldSecret, "1.1.", "%0d%0aSet-Cookie:x")) {
            refused.add(sluice.call("POST", "/unsubscribe/" + link, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", null));
            refused.add(sluice.call("GET", "/unsubscribe/" + link, null, null, null));
        }

        for (HttpResponse<String> answer : refused) {
            assertThat(answer.statusCode()).as(answer.uri().toString()).isEqualTo(403);
            assertThat(answer.body()).as(answer.uri().toString()).isEqualTo("this unsubscribe link is not valid");
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        }
        HttpResponse<String> wrongBody = sluice.call("POST", "/unsubscribe/" + token, "text/plain", "please", null);
        assertThat(wrongBody.statusCode()).isEqualTo(400);
        assertThat(wrongBody.body()).isEqualTo("expected the body List-Unsubscribe=One-Click");
        assertThat(code()).as("nothing unsubscribed").isEqualTo("valid");
    }
}
