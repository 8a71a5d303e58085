package dev.oomguard.review;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/**
 * Writes findings as SARIF 2.1.0: one run, the tool's rules with their descriptions, one result per
 * finding with its physical location (source path from the package and the class's source file, and
 * the line) and its logical location (class and method).
 *
 * <p>Hand-written JSON: the format needs a few objects and strings, and a JSON library in the
 * command-line jar would be one more thing to clash with a user's classpath.
 */
final class Sarif {
  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  static final String TOOL = "oomguard-review";

  private Sarif() {}

  // A result's ruleIndex is its rule's place in tool.driver.rules, which lists Rule.values() in
  // order.
  @SuppressWarnings("EnumOrdinal")
  static void write(List<Finding> findings, String version, Writer out) throws IOException {
    out.write("{\n  \"$schema\": " + quote(SCHEMA) + ",\n  \"version\": \"2.1.0\",\n");
    out.write("  \"runs\": [{\n    \"tool\": {\"driver\": {\n");
    out.write("      \"name\": " + quote(TOOL) + ",\n      \"version\": " + quote(version) + ",\n");
    out.write("      \"rules\": [");
    Rule[] rules = Rule.values();
    for (int i = 0; i < rules.length; i++) {
      Rule rule = rules[i];
      out.write(i == 0 ? "\n" : ",\n");
      out.write("        {\"id\": " + quote(rule.id()));
      out.write(", \"name\": " + quote(camel(rule)));
      out.write(", \"shortDescription\": {\"text\": " + quote(rule.title()) + "}");
      out.write(
          ", \"fullDescription\": {\"text\": "
              + quote("This repeats " + rule.incident() + ".")
              + "}");
      out.write(", \"help\": {\"text\": " + quote("Fix: " + rule.fix() + ".") + "}");
      out.write(", \"defaultConfiguration\": {\"level\": \"error\"}}");
    }
    out.write("\n      ]\n    }},\n    \"results\": [");
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      out.write(i == 0 ? "\n" : ",\n");
      out.write("      {\"ruleId\": " + quote(f.rule().id()));
      out.write(", \"ruleIndex\": " + f.rule().ordinal());
      out.write(", \"level\": \"error\"");
      out.write(
          ", \"message\": {\"text\": "
              + quote(f.message() + " Fix: " + f.rule().fix() + ".")
              + "}");
      out.write(", \"locations\": [{");
      if (!f.sourcePath().isEmpty()) {
        out.write(
            "\"physicalLocation\": {\"artifactLocation\": {\"uri\": "
                + quote(f.sourcePath())
                + "}");
        if (f.line() > 0) {
          out.write(", \"region\": {\"startLine\": " + f.line() + "}");
        }
        out.write("}, ");
      }
      out.write(
          "\"logicalLocations\": [{\"fullyQualifiedName\": "
              + quote(f.className() + '.' + f.methodName())
              + ", \"kind\": \"function\"}]}]}");
    }
    out.write("\n    ]\n  }]\n}\n");
  }

  private static String camel(Rule rule) {
    StringBuilder name = new StringBuilder();
    for (String part : rule.name().toLowerCase(Locale.ROOT).split("_", -1)) {
      name.append(Character.toUpperCase(part.charAt(0))).append(part, 1, part.length());
    }
    return name.toString();
  }

  /** A JSON string literal (RFC 8259: quote, backslash and control characters escaped). */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
