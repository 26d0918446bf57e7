package dev.systemtables.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} and bare {@code --flag} options after a command word. */
final class Args {

  private final String command;
  private final Map<String, String> values = new HashMap<>();

  Args(String[] argv) {
    if (argv.length == 0) throw new IllegalArgumentException("usage: bench-client <probe|sql|suite|report> [--option value ...]");
    command = argv[0];
    for (int i = 1; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
      String name = a.substring(2);
      if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
        values.put(name, argv[++i]);
      } else {
        values.put(name, "true");
      }
    }
  }

  String command() {
    return command;
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null) throw new IllegalArgumentException("--" + name + " is required");
    return v;
  }

  int integer(String name, int fallback) {
    String v = values.get(name);
    return v == null ? fallback : Integer.parseInt(v);
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }
}
