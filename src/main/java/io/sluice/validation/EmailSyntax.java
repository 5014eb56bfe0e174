package io.sluice.validation;

import java.net.IDN;
import java.util.Locale;

/**
 * Syntax fit for SMTP delivery (RFC 5321 mailbox, the subset a bulk sender should mail): a dot-atom local part,
 * a host name with a dot and a letter TLD. Quoted strings, comments, address literals, whitespace and control
 * characters are refused. {@code +} sub-addressing and every other atext character are valid: a provider once
 * rejected every {@code user+tag@} address, and this check is what proves such verdicts wrong.
 */
public final class EmailSyntax {

    /** The outcome: {@code normalized} is set when the address is sound, {@code problem} says why when not. */
    public record Result(String normalized, String problem) {
        public boolean valid() {
            return problem == null;
        }
    }

    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private EmailSyntax() {
    }

    public static Result check(String raw) {
        if (raw == null || raw.isBlank()) {
            return bad("empty address");
        }
        String address = raw;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isWhitespace(c)) {
                return bad("whitespace or control character in address");
            }
        }
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return bad("no @ in address");
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        String localProblem = checkLocal(local);
        if (localProblem != null) {
            return bad(localProblem);
        }
        if (domain.startsWith("[")) {
            return bad("address literal instead of a host name");
        }
        String asciiDomain;
        try {
            asciiDomain = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return bad("domain is not a valid host name");
        }
        String domainProblem = checkDomain(asciiDomain);
        if (domainProblem != null) {
            return bad(domainProblem);
        }
        String normalized = local + "@" + asciiDomain;
        if (normalized.length() > 254) {
            return bad("address longer than 254 octets");
        }
        return new Result(normalized, null);
    }

    /** The case-insensitive key used for duplicates and the validation cache. */
    public static String key(String normalized) {
        return normalized.toLowerCase(Locale.ROOT);
    }

    private static String checkLocal(String local) {
        if (local.isEmpty()) {
            return "empty local part";
        }
        if (local.length() > 64) {
            return "local part longer than 64 octets";
        }
        if (local.startsWith("\"")) {
            return "quoted local part";
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return "local part has a leading, trailing or double dot";
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            boolean atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || ATEXT_SPECIALS.indexOf(c) >= 0;
            if (!atext) {
                return "character '" + c + "' not allowed in local part";
            }
        }
        return null;
    }

    private static String checkDomain(String domain) {
        if (domain.isEmpty()) {
            return "empty domain";
        }
        if (domain.startsWith("[")) {
            return "address literal instead of a host name";
        }
        if (domain.length() > 255) {
            return "domain longer than 255 octets";
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return "domain has no dot";
        }
        for (String label : labels) {
            if (label.isEmpty()) {
                return "domain has an empty label";
            }
            if (label.length() > 63) {
                return "domain label longer than 63 octets";
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return "domain label starts or ends with a hyphen";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return "character '" + c + "' not allowed in domain";
                }
            }
        }
        String tld = labels[labels.length - 1];
        boolean letterTld = tld.startsWith("xn--") || tld.chars().allMatch(ch -> ch >= 'a' && ch <= 'z');
        if (!letterTld) {
            return "top-level domain is not alphabetic";
        }
        return null;
    }

    private static Result bad(String problem) {
        return new Result(null, problem);
    }
}
