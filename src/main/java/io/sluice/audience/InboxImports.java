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

    public InboxImports(AudienceImporter audience, ValidationCache validationCache) {
        this.audience = audience;
        this.validationCache = validationCache;
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
            return audience.importCsv(campaignId, csv, "audience/" + folder + "/" + fileName, sink);
        }
    }

    public ImportResult importValidationResults(String parentDir, String fileName, InputStream csv) {
        Path rejects = Path.of(parentDir).resolve("done").resolve(rejectsName(fileName));
        try (Rejects sink = Rejects.toFile(rejects)) {
            return validationCache.importResults(csv, "validation-results/" + fileName, "import", sink);
        }
    }

    static String rejectsName(String fileName) {
        String base = fileName.endsWith(".csv") ? fileName.substring(0, fileName.length() - 4) : fileName;
        return base + ".rejects.csv";
    }
}
