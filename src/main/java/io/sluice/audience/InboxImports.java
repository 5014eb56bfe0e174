package io.sluice.audience;

import java.io.InputStream;
import java.nio.file.Path;

import io.sluice.validation.ValidationCache;

/**
 * The inbox side of imports: the folder a file was dropped in names its campaign
 * ({@code <inbox>/audience/<campaign id>/file.csv}), and rejected rows go to {@code file.rejects.csv} in the
 * {@code done/} folder the file itself moves to.
 */
public class InboxImports {

    private final AudienceImporter audience;
    private final ValidationCache validationCache;
    private io.sluice.admin.EventLog events;

    public InboxImports(AudienceImporter audience, ValidationCache validationCache) {
        this.audience = audience;
        this.validationCache = validationCache;
    }

    /** Where each inbox import is written (actor inbox), with its counts and the rejects file. */
    public void setEvents(io.sluice.admin.EventLog events) {
        this.events = events;
    }

    private ImportResult recorded(String kind, Long campaign, ImportResult result, Path rejects) {
        if (events != null) {
            java.util.Map<String, Object> detail = io.sluice.admin.AdminApi.importDetail(result, null);
            if (result.rejected() > 0) {
                detail.put("rejectsFile", rejects.toString());
            }
            events.record(kind, "inbox", campaign, null, detail);
        }
        return result;
    }

    public ImportResult importAudience(String parentDir, String fileName, InputStream csv) {
        Path campaignDir = Path.of(parentDir);
        String folder = campaignDir.getFileName().toString();
        long campaignId;
        try {
            campaignId = Long.parseLong(folder);
        } catch (NumberFormatException e) {
            throw new ImportException("audience files go in a folder named after the campaign id, e.g. audience/42/; got "
                    + folder + "/" + fileName);
        }
        Path rejects = campaignDir.getParent().resolve("done").resolve(folder).resolve(rejectsName(fileName));
        try (Rejects sink = Rejects.toFile(rejects)) {
            return recorded("audience-import", campaignId,
                    audience.importCsv(campaignId, csv, "audience/" + folder + "/" + fileName, sink), rejects);
        }
    }

    public ImportResult importValidationResults(String parentDir, String fileName, InputStream csv) {
        Path rejects = Path.of(parentDir).resolve("done").resolve(rejectsName(fileName));
        try (Rejects sink = Rejects.toFile(rejects)) {
            return recorded("validation-results-import", null,
                    validationCache.importResults(csv, "validation-results/" + fileName, "import", sink), rejects);
        }
    }

    static String rejectsName(String fileName) {
        String base = fileName.endsWith(".csv") ? fileName.substring(0, fileName.length() - 4) : fileName;
        return base + ".rejects.csv";
    }
}
