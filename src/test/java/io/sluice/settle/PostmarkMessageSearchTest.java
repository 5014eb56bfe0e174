package io.sluice.settle;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Messages API query and the reading of its answers, from Postmark's documented shapes (outbound message search:
 * {"TotalCount", "Messages": [{"MessageID", "To", "Recipients", "MessageStream", "Metadata", "ReceivedAt", "Status"}]},
 * errors {"ErrorCode", "Message"} with 401/422/500), without Camel.
 */
class PostmarkMessageSearchTest {

    private static final UnknownRecipient ADA = new UnknownRecipient(42, 7, "Ada@Example.com", "broadcast",
            Instant.parse("2026-07-01T13:58:00Z"), Instant.parse("2026-07-01T14:00:00Z"));

    @Test
    void should_ask_for_the_address_in_the_campaigns_stream_around_the_send_in_eastern_time() {
        Map<String, String> query = params(PostmarkMessageSearch.query(ADA, 0));

        assertThat(query).containsExactly(Map.entry("recipient", "Ada@Example.com"), Map.entry("messagestream", "broadcast"),
                // Summer: EDT, UTC-4; two hours either side of claim and change.
                Map.entry("fromdate", "2026-07-01T07:58:00"), Map.entry("todate", "2026-07-01T12:00:00"),
                Map.entry("count", "500"), Map.entry("offset", "0"));
    }

    @Test
    void should_use_standard_time_in_winter_and_the_change_time_when_the_claim_time_is_unknown() {
        UnknownRecipient winter = new UnknownRecipient(1, 1, "a@example.com", "news", null, Instant.parse("2026-01-15T14:00:00Z"));

        Map<String, String> query = params(PostmarkMessageSearch.query(winter, 1000));

        assertThat(query).containsEntry("fromdate", "2026-01-15T07:00:00").containsEntry("todate", "2026-01-15T11:00:00")
                .containsEntry("offset", "1000");
    }

    @Test
    void should_pass_an_address_with_query_and_placeholder_characters_as_data_only() {
        UnknownRecipient odd = new UnknownRecipient(1, 1, "tom&count=1#x{{sluice.postmark.server-token}}+a@example.com",
                "broad cast&x=1", null, Instant.parse("2026-07-01T14:00:00Z"));

        String raw = PostmarkMessageSearch.query(odd, 0);

        assertThat(raw).doesNotContain("#", "{", "}", " ", "+a@")
                .contains("recipient=tom%26count%3D1%23x%7B%7Bsluice.postmark.server-token%7D%7D%2Ba%40example.com");
        assertThat(params(raw)).containsEntry("recipient", odd.email()).containsEntry("messagestream", "broad cast&x=1")
                .containsEntry("count", "500").hasSize(6);
    }

    @Test
    void should_find_the_message_whose_metadata_names_this_campaign_and_recipient() {
        PostmarkMessageSearch.Page page = PostmarkMessageSearch.read(ADA, 200, answer(2,
                message("m-other", "ada@example.com", "broadcast", "7", "41"),
                message("m-ada", "ADA@example.com", "broadcast", "7", "42")));

        assertThat(page.kind()).isEqualTo(PostmarkMessageSearch.Kind.FOUND);
        assertThat(page.messageId()).isEqualTo("m-ada");
        assertThat(page.detail()).contains("Postmark MessageID m-ada", "Status Sent", "ReceivedAt");
    }

    @Test
    void should_accept_metadata_values_written_as_numbers_and_keys_in_another_case() {
        String body = "{\"TotalCount\":1,\"Messages\":[{\"MessageID\":\"m1\",\"Recipients\":[\"ada@example.com\"],"
                + "\"MessageStream\":\"broadcast\",\"Metadata\":{\"Sluice-Campaign\":7,\"sluice-recipient\":42}}]}";

        assertThat(PostmarkMessageSearch.read(ADA, 200, body).kind()).isEqualTo(PostmarkMessageSearch.Kind.FOUND);
    }

    @Test
    void should_not_take_another_campaigns_message_to_the_same_address() {
        PostmarkMessageSearch.Page page = PostmarkMessageSearch.read(ADA, 200, answer(2,
                message("m-8", "ada@example.com", "broadcast", "8", "42"),
                message("m-none", "ada@example.com", "broadcast", null, null)));

        assertThat(page.kind()).isEqualTo(PostmarkMessageSearch.Kind.NONE_ON_PAGE);
        assertThat(page.totalCount()).isEqualTo(2);
        assertThat(page.messages()).isEqualTo(2);
        assertThat(page.conflicts()).isZero();
    }

    @Test
    void should_count_matching_ids_with_another_stream_or_address_as_a_contradiction() {
        PostmarkMessageSearch.Page page = PostmarkMessageSearch.read(ADA, 200, answer(2,
                message("m1", "ada@example.com", "outbound", "7", "42"),
                message("m2", "grace@example.com", "broadcast", "7", "42")));

        assertThat(page.kind()).isEqualTo(PostmarkMessageSearch.Kind.NONE_ON_PAGE);
        assertThat(page.conflicts()).isEqualTo(2);
    }

    @Test
    void should_read_errors_and_unreadable_answers_as_no_answer() {
        PostmarkMessageSearch.Page unauthorized = PostmarkMessageSearch.read(ADA, 401,
                "{\"ErrorCode\":10,\"Message\":\"Bad or missing Server API token.\"}");
        assertThat(unauthorized.kind()).isEqualTo(PostmarkMessageSearch.Kind.ERROR);
        assertThat(unauthorized.unauthorized()).isTrue();
        assertThat(unauthorized.detail()).isEqualTo("HTTP 401: ErrorCode 10: Bad or missing Server API token.");

        PostmarkMessageSearch.Page invalid = PostmarkMessageSearch.read(ADA, 422,
                "{\"ErrorCode\":600,\"Message\":\"Count parameter is required.\"}");
        assertThat(invalid.kind()).isEqualTo(PostmarkMessageSearch.Kind.ERROR);
        assertThat(invalid.unauthorized()).isFalse();

        for (String body : List.of("<html>Service Unavailable</html>", "", "{\"TotalCount\":\"1\",\"Messages\":[]}",
                "{\"TotalCount\":1}", "{\"Messages\":[]}", "[]", "{\"TotalCount\":1,\"Messages\":{}}")) {
            assertThat(PostmarkMessageSearch.read(ADA, 200, body).kind()).as(body).isEqualTo(PostmarkMessageSearch.Kind.ERROR);
        }
        assertThat(PostmarkMessageSearch.read(ADA, 500, "{\"ErrorCode\":500,\"Message\":\"Internal server error\"}").kind())
                .isEqualTo(PostmarkMessageSearch.Kind.ERROR);
        assertThat(PostmarkMessageSearch.read(ADA, null, null).kind()).isEqualTo(PostmarkMessageSearch.Kind.ERROR);
    }

    @Test
    void should_page_until_found() {
        SettleRun run = new SettleRun(Instant.now(), List.of(ADA));
        SettleLookup lookup = run.getLookups().get(0);

        lookup.onPage(PostmarkMessageSearch.read(ADA, 200, page(501, 500, null)));
        assertThat(lookup.wantsPage()).isTrue();
        assertThat(params(lookup.query())).containsEntry("offset", "500");

        lookup.onPage(PostmarkMessageSearch.read(ADA, 200, answer(501, message("m-ada", "ada@example.com", "broadcast", "7", "42"))));
        assertThat(lookup.wantsPage()).isFalse();
        assertThat(lookup.outcome()).isEqualTo(SettleLookup.Outcome.SENT);
        assertThat(lookup.pages()).isEqualTo(2);
    }

    @Test
    void should_decide_not_sent_only_after_every_page_was_read() {
        SettleRun run = new SettleRun(Instant.now(), List.of(ADA));
        SettleLookup lookup = run.getLookups().get(0);

        lookup.onPage(PostmarkMessageSearch.read(ADA, 200, page(501, 500, null)));
        assertThat(lookup.outcome()).isEqualTo(SettleLookup.Outcome.NOT_ASKED);
        lookup.onPage(PostmarkMessageSearch.read(ADA, 200, page(501, 1, null)));

        assertThat(lookup.outcome()).isEqualTo(SettleLookup.Outcome.PENDING);
        assertThat(lookup.detail()).contains("not in Postmark's message log");

        SettleLookup none = new SettleRun(Instant.now(), List.of(ADA)).getLookups().get(0);
        none.onPage(PostmarkMessageSearch.read(ADA, 200, "{\"TotalCount\":0,\"Messages\":[]}"));
        assertThat(none.outcome()).isEqualTo(SettleLookup.Outcome.PENDING);
    }

    @Test
    void should_leave_it_unresolved_when_the_answer_contradicts_itself_or_cannot_be_read_to_the_end() {
        SettleLookup conflict = new SettleRun(Instant.now(), List.of(ADA)).getLookups().get(0);
        conflict.onPage(PostmarkMessageSearch.read(ADA, 200, answer(1, message("m1", "ada@example.com", "outbound", "7", "42"))));
        assertThat(conflict.outcome()).isEqualTo(SettleLookup.Outcome.UNRESOLVED);

        SettleLookup shortPage = new SettleRun(Instant.now(), List.of(ADA)).getLookups().get(0);
        shortPage.onPage(PostmarkMessageSearch.read(ADA, 200, "{\"TotalCount\":3,\"Messages\":[]}"));
        assertThat(shortPage.outcome()).isEqualTo(SettleLookup.Outcome.UNRESOLVED);

        SettleLookup tooMany = new SettleRun(Instant.now(), List.of(ADA)).getLookups().get(0);
        for (int i = 0; i < 20; i++) {
            assertThat(tooMany.wantsPage()).isTrue();
            tooMany.onPage(PostmarkMessageSearch.read(ADA, 200, page(12_000, 500, null)));
        }
        assertThat(tooMany.wantsPage()).isFalse();
        assertThat(tooMany.outcome()).isEqualTo(SettleLookup.Outcome.UNRESOLVED);
        assertThat(tooMany.detail()).contains("more than Postmark pages through");
    }

    @Test
    void should_stop_the_run_at_a_refused_token_or_five_failures_in_a_row() {
        UnknownRecipient b = new UnknownRecipient(43, 7, "b@example.com", "broadcast", null, ADA.updatedAt());
        SettleRun run = new SettleRun(Instant.now(), List.of(ADA, b));
        run.getLookups().get(0).onPage(PostmarkMessageSearch.read(ADA, 401, "{\"ErrorCode\":10,\"Message\":\"Bad token\"}"));

        assertThat(run.getLookups().get(0).outcome()).isEqualTo(SettleLookup.Outcome.ERROR);
        assertThat(run.getLookups().get(1).wantsPage()).as("no call after a refused token").isFalse();
        assertThat(run.getLookups().get(1).outcome()).isEqualTo(SettleLookup.Outcome.NOT_ASKED);
        assertThat(run.lastAskedId()).isEqualTo(42);

        List<UnknownRecipient> six = java.util.stream.LongStream.rangeClosed(1, 6)
                .mapToObj(id -> new UnknownRecipient(id, 7, id + "@example.com", "broadcast", null, ADA.updatedAt())).toList();
        SettleRun failing = new SettleRun(Instant.now(), six);
        for (int i = 0; i < 4; i++) {
            failing.getLookups().get(i).onFailure("SocketTimeoutException: Read timed out");
        }
        failing.getLookups().get(4).onPage(PostmarkMessageSearch.read(six.get(4), 200, "{\"TotalCount\":0,\"Messages\":[]}"));
        assertThat(failing.getLookups().get(5).wantsPage()).as("an answer resets the count").isTrue();
        failing.getLookups().get(5).onFailure("SocketTimeoutException: Read timed out");
        assertThat(failing.stopped()).isFalse();

        SettleRun down = new SettleRun(Instant.now(), six);
        for (int i = 0; i < 5; i++) {
            down.getLookups().get(i).onFailure("ConnectException: Connection refused");
        }
        assertThat(down.getLookups().get(5).wantsPage()).isFalse();
        assertThat(down.stoppedBecause()).contains("5 calls in a row failed");
    }

    static String answer(long total, String... messages) {
        return "{\"TotalCount\":" + total + ",\"Messages\":[" + String.join(",", messages) + "]}";
    }

    /** A page of {@code n} messages to the address from other senders (no Sluice metadata). */
    static String page(long total, int n, String extra) {
        String[] messages = new String[n + (extra == null ? 0 : 1)];
        for (int i = 0; i < n; i++) {
            messages[i] = message("other-" + i, "ada@example.com", "broadcast", null, null);
        }
        if (extra != null) {
            messages[n] = extra;
        }
        return answer(total, messages);
    }

    /** One message summary as Postmark's outbound search documents it. */
    static String message(String id, String to, String stream, String campaign, String recipient) {
        String metadata = campaign == null ? "{}" : "{\"sluice-campaign\":\"" + campaign + "\",\"sluice-recipient\":\"" + recipient + "\"}";
        return "{\"Tag\":\"\",\"MessageID\":\"" + id + "\",\"To\":[{\"Email\":\"" + to + "\",\"Name\":null}],\"Cc\":[],\"Bcc\":[],"
                + "\"Recipients\":[\"" + to + "\"],\"ReceivedAt\":\"2026-07-01T10:00:01.0000000-04:00\",\"From\":\"news@example.com\","
                + "\"Subject\":\"Hello\",\"Attachments\":[],\"Status\":\"Sent\",\"TrackOpens\":false,\"TrackLinks\":\"None\","
                + "\"Metadata\":" + metadata + ",\"MessageStream\":\"" + stream + "\",\"Sandboxed\":false}";
    }

    static Map<String, String> params(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }
}
