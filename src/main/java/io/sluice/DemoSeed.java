package io.sluice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.audience.AudienceImporter;
import io.sluice.audience.Rejects;
import io.sluice.campaign.CampaignStore;
import io.sluice.validation.ValidationCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local-demo mode only: on a database with no campaign yet, creates and starts the sample campaign from the
 * samples folder (campaign.json, audience.csv, validation-results.csv) so a newcomer sees mail in the outbox.
 */
final class DemoSeed {

    private static final Logger LOG = LoggerFactory.getLogger(DemoSeed.class);

    private DemoSeed() {
    }

    static void seedIfEmpty(Path dir, CampaignStore campaigns, AudienceImporter audience, ValidationCache cache) throws IOException {
        if (!campaigns.all().isEmpty()) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            LOG.warn("Demo mode: no sample folder {}, nothing seeded", dir.toAbsolutePath());
            return;
        }
        Map<String, Object> json = new ObjectMapper().readValue(dir.resolve("campaign.json").toFile(), new TypeReference<>() {
        });
        long id = ((Number) campaigns.create(json).get("id")).longValue();
        try (InputStream in = Files.newInputStream(dir.resolve("validation-results.csv"))) {
            cache.importResults(in, "sample validation results", "sample", Rejects.listed(0));
        }
        try (InputStream in = Files.newInputStream(dir.resolve("audience.csv"))) {
            audience.importCsv(id, in, "sample audience", Rejects.listed(0));
        }
        campaigns.start(id);
        LOG.info("Demo mode: seeded and started sample campaign {} from {}", id, dir.toAbsolutePath());
    }
}
