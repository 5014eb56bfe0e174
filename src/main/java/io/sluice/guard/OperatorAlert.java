package io.sluice.guard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** POSTs a halt as JSON to the operators' webhook (Slack, PagerDuty, ...); a failure is logged, never fatal. */
public class OperatorAlert implements Consumer<Map<String, Object>> {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorAlert.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public OperatorAlert(String url) {
        this.url = url == null || url.isBlank() ? null : URI.create(url.strip());
    }

    @Override
    public void accept(Map<String, Object> event) {
        if (url == null) {
            return;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(event))).build();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                if (failure != null || response.statusCode() >= 300) {
                    LOG.error("Operator alert to {} failed: {}", url.getHost(), failure != null ? failure.getMessage() : response.statusCode());
                }
            });
        } catch (Exception e) {
            LOG.error("Operator alert to {} failed: {}", url.getHost(), e.getMessage());
        }
    }
}
