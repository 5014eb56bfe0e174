package io.sluice.dispatch;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The content enricher's merge, without Camel: cache rows of one chunk into its claimed recipients. */
class ValidationVerdictsTest {

    private static Recipient recipient(long id, String key) {
        return new Recipient(id, 7, key, key, "{}", 1, null);
    }

    @Test
    void each_recipient_gets_the_code_of_its_address_in_claim_order() {
        List<Recipient> claimed = List.of(recipient(3, "a@x.org"), recipient(1, "b@x.org"), recipient(2, "a@x.org"));
        List<Map<String, Object>> rows = List.of(Map.of("email", "b@x.org", "text_code", "catchall"),
                Map.of("email", "a@x.org", "text_code", "valid"));

        List<Recipient> merged = ValidationVerdicts.merge(claimed, rows);

        assertThat(merged).extracting(Recipient::id).as("the claim's order").containsExactly(3L, 1L, 2L);
        assertThat(merged).extracting(Recipient::validationCode).containsExactly("valid", "catchall", "valid");
        assertThat(merged.get(0)).usingRecursiveComparison().ignoringFields("validationCode").isEqualTo(claimed.get(0));
    }

    @Test
    void column_names_in_upper_case_as_h2_reports_them_are_read_too() {
        List<Recipient> merged = ValidationVerdicts.merge(List.of(recipient(1, "a@x.org")),
                List.of(Map.of("EMAIL", "a@x.org", "TEXT_CODE", "ok")));
        assertThat(merged.get(0).validationCode()).isEqualTo("ok");
    }

    @Test
    void an_address_without_a_cache_row_keeps_no_code_so_dispatch_gives_it_back_to_pending() {
        List<Recipient> merged = ValidationVerdicts.merge(List.of(recipient(1, "gone@x.org"), recipient(2, "a@x.org")),
                List.of(Map.of("email", "a@x.org", "text_code", "valid")));
        assertThat(merged).extracting(Recipient::validationCode).containsExactly(null, "valid");
    }

    @Test
    void the_lookup_asks_for_the_rows_of_this_claim_between_the_chunks_lowest_and_highest_id() {
        assertThat(ValidationVerdicts.keys(List.of(recipient(7, "a@x.org"), recipient(3, "b@x.org"), recipient(12, "a@x.org")), "i1/4"))
                .isEqualTo(Map.of("token", "i1/4", "minId", 3L, "maxId", 12L));
    }
}
