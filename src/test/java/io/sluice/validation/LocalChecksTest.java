package io.sluice.validation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Local checks against the community disposable-domain list (the snapshot in ../shared/data). */
class LocalChecksTest {

    private static final Path LIST = Stream.of("../shared/data", "/work/shared/data")
            .map(dir -> Path.of(dir, "disposable_email_blocklist.conf")).filter(Files::exists).findFirst()
            .orElse(Path.of("../shared/data/disposable_email_blocklist.conf"));

    @Test
    void should_load_the_community_list_and_flag_disposable_domains_and_their_subdomains() {
        Assumptions.assumeTrue(Files.exists(LIST), "reference data " + LIST + " is absent: skipped");
        DisposableDomains domains = new DisposableDomains(LIST.toString());
        LocalChecks checks = new LocalChecks(domains, false);

        assertThat(domains.size()).isEqualTo(8335);
        assertThat(checks.check("someone@mailinator.com").code()).isEqualTo("disposable");
        assertThat(checks.check("someone@eu.mailinator.com").code()).as("a subdomain of a listed domain").isEqualTo("disposable");
        assertThat(checks.check("user+tag@gmail.com").passed()).isTrue();
        assertThat(checks.check("postmaster@example.com").passed()).as("role accounts are a policy, off by default").isTrue();
        assertThat(checks.check("\"quoted\"@example.com").code()).isEqualTo("invalid_syntax");
    }

    @Test
    void should_refuse_role_accounts_only_when_the_policy_is_on() {
        LocalChecks checks = new LocalChecks(new DisposableDomains(""), true);

        assertThat(checks.check("noreply@example.com").code()).isEqualTo("role");
        assertThat(checks.check("ada@example.com").passed()).isTrue();
    }

    @Test
    void should_keep_the_fallback_when_the_configured_list_cannot_be_read() {
        DisposableDomains domains = new DisposableDomains("/nonexistent/list.conf");

        assertThat(domains.size()).isPositive();
        assertThat(domains.isDisposable("yopmail.com")).isTrue();
    }

    @Test
    void should_map_provider_codes_to_verdicts() {
        assertThat(Verdicts.of("valid")).isEqualTo("deliverable");
        assertThat(Verdicts.of("ok")).isEqualTo("deliverable");
        assertThat(Verdicts.of("accept_all")).isEqualTo("risky");
        assertThat(Verdicts.of("invalid_mx")).isEqualTo("undeliverable");
        assertThat(Verdicts.of("something_new")).isEqualTo("unknown");
    }
}
