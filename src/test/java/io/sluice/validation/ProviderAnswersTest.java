package io.sluice.validation;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Classification of each provider's documented answers, error shapes included, in one place. */
class ProviderAnswersTest {

    private final NeverBounce neverBounce = new NeverBounce("k", 30000);
    private final EmailListVerify elv = new EmailListVerify("k");

    @Test
    void neverbounce_results_are_verdicts_with_their_own_code_and_credits() {
        ProviderAnswer valid = neverBounce.read(200, ProviderStubs.nbResult("valid", "has_dns"));
        assertThat(valid.kind()).isEqualTo(ProviderAnswer.Kind.VERDICT);
        assertThat(valid.code()).isEqualTo("valid");
        assertThat(valid.creditsUsed()).isEqualTo(1);
        assertThat(neverBounce.read(200, ProviderStubs.nbResult("invalid", "bad_syntax")).syntaxRejected()).isTrue();
        assertThat(neverBounce.read(200, ProviderStubs.nbResult("invalid", "has_dns")).syntaxRejected()).isFalse();
    }

    @Test
    void neverbounce_errors_arrive_with_http_200_and_are_classified() {
        assertThat(neverBounce.read(200, ProviderStubs.nbError("auth_failure", "Invalid API key")).kind())
                .isEqualTo(ProviderAnswer.Kind.BUSINESS);
        assertThat(neverBounce.read(200, ProviderStubs.nbError("bad_referrer", "Referrer not allowed")).kind())
                .isEqualTo(ProviderAnswer.Kind.BUSINESS);
        assertThat(neverBounce.read(200, ProviderStubs.nbError("general_failure", "Insufficient credits")).kind())
                .isEqualTo(ProviderAnswer.Kind.BUSINESS);
        assertThat(neverBounce.read(200, ProviderStubs.nbError("general_failure", "Missing parameter email")).kind())
                .isEqualTo(ProviderAnswer.Kind.PERMANENT);
        assertThatThrownBy(() -> neverBounce.read(200, ProviderStubs.nbError("temp_unavail", "Try again")))
                .isInstanceOfSatisfying(ProviderCallException.class, e -> assertThat(e.answer().kind()).isEqualTo(ProviderAnswer.Kind.TRANSIENT));
        assertThatThrownBy(() -> neverBounce.read(200, ProviderStubs.nbError("throttle_triggered", "Slow down")))
                .isInstanceOf(ProviderCallException.class);
        assertThatThrownBy(() -> neverBounce.read(502, "<html>Bad gateway</html>")).isInstanceOf(ProviderCallException.class);
        assertThat(neverBounce.read(200, "<html>").kind()).isEqualTo(ProviderAnswer.Kind.PERMANENT);
    }

    @Test
    void neverbounce_sends_its_key_in_the_form_body_only() {
        assertThat(neverBounce.singleCheckForm("a+b@example.com")).startsWith("key=k&email=a%2Bb%40example.com&");
    }

    @Test
    void email_list_verify_codes_are_an_open_vocabulary() {
        for (String code : List.of("ok", "email_disabled", "dead_server", "invalid_mx", "ok_for_all", "accept_all", "disposable",
                "unknown", "spamtrap", "smtp_protocol", "some_new_code")) {
            ProviderAnswer answer = elv.read(200, code + "\n");
            assertThat(answer.kind()).as(code).isEqualTo(ProviderAnswer.Kind.VERDICT);
            assertThat(answer.code()).isEqualTo(code);
        }
        assertThat(elv.read(200, "invalid_syntax").syntaxRejected()).isTrue();
        assertThat(elv.read(200, "syntax_error").syntaxRejected()).isTrue();
    }

    @Test
    void email_list_verify_account_errors_stop_the_provider_and_server_errors_are_retried() {
        assertThat(elv.read(200, "Key not valid").kind()).isEqualTo(ProviderAnswer.Kind.BUSINESS);
        assertThat(elv.read(200, "no_credit").kind()).isEqualTo(ProviderAnswer.Kind.BUSINESS);
        assertThat(elv.read(401, "Unauthorized").kind()).isEqualTo(ProviderAnswer.Kind.BUSINESS);
        assertThat(elv.read(402, "").kind()).isEqualTo(ProviderAnswer.Kind.BUSINESS);
        assertThat(elv.read(400, "missing parameter email").kind()).isEqualTo(ProviderAnswer.Kind.PERMANENT);
        assertThatThrownBy(() -> elv.read(500, "oops")).isInstanceOf(ProviderCallException.class);
        assertThatThrownBy(() -> elv.read(429, "Too many requests")).isInstanceOf(ProviderCallException.class);
        assertThat(elv.read(200, "Something went wrong here").kind()).isEqualTo(ProviderAnswer.Kind.PERMANENT);
    }

    @Test
    void failures_inside_the_breaker_become_answers_without_secrets() {
        assertThat(ProviderCallException.answerFor(new java.util.concurrent.TimeoutException()).reason()).isEqualTo("timeout");
        ProviderAnswer io = ProviderCallException.answerFor(new java.io.IOException("failed GET /api/verifyEmail?secret=abc&email=x"));
        assertThat(io.kind()).isEqualTo(ProviderAnswer.Kind.TRANSIENT);
        assertThat(io.reason()).doesNotContain("abc").contains("secret=***");
    }

    @Test
    void bulk_download_rows_are_read_with_or_without_a_header() {
        List<NeverBounce.BulkRow> headed = neverBounce.jobResults("email,email_status,bad_syntax\na@example.com,valid,0\nb+x@example.com,invalid,1\n");
        assertThat(headed).containsExactly(new NeverBounce.BulkRow("a@example.com", "valid", false),
                new NeverBounce.BulkRow("b+x@example.com", "invalid", true));
        assertThat(neverBounce.jobResults("a@example.com,catchall,0\n")).containsExactly(new NeverBounce.BulkRow("a@example.com", "catchall", false));
    }
}
