package dev.systemtables.timer;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code jobs} section of {@code conf/config.yaml}, read and checked once at start-up so a bad
 * cron expression or limit stops the node with a message naming the key, instead of a job that
 * silently never runs.
 *
 * @param jobs each job's schedule, in the order the jobs were registered
 * @param batchSize rows per DELETE statement the purges may remove
 * @param schedulerEnabled whether this node runs slots by itself (off: only "run now"; tests switch it off)
 * @param checkInterval how often a node re-checks for a due slot and for abandoned runs
 * @param runTimeout how long a run waits for the owning domain's purge before it is recorded FAILED
 * @param staleAfter a RUNNING row older than this belongs to a node that died; it is marked FAILED.
 *                   Longer than {@code runTimeout}, so a live run is never taken for a dead one.
 */
public record JobSettings(List<Job> jobs, int batchSize, boolean schedulerEnabled, Duration checkInterval,
                          Duration runTimeout, Duration staleAfter) {

  /** A job and its schedule. */
  public record Job(String name, Schedule schedule) {
  }

  public JobSettings {
    jobs = List.copyOf(jobs);
    if (staleAfter.compareTo(runTimeout) <= 0) {
      throw new IllegalArgumentException("jobs.staleRunMinutes must be greater than jobs.runTimeoutMinutes");
    }
  }

  /** Reads the section for the jobs named; absent keys take the documented defaults. */
  public static JobSettings from(JsonObject section, List<String> names) {
    List<Job> jobs = new ArrayList<>();
    for (String name : names) {
      JsonObject job = section.getValue(name) instanceof JsonObject o ? o : new JsonObject();
      Object cron = job.getValue("cron");
      if (!(cron instanceof String expression)) {
        throw new IllegalArgumentException("jobs." + name + ".cron must be a Quartz cron expression (a string)");
      }
      try {
        jobs.add(new Job(name, Schedule.parse(expression)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("jobs." + name + ".cron '" + expression + "' is not valid: " + e.getMessage(), e);
      }
    }
    Object scheduler = section.getValue("schedulerEnabled", true);
    if (!(scheduler instanceof Boolean enabled)) {
      throw new IllegalArgumentException("jobs.schedulerEnabled must be true or false, got '" + scheduler + "'");
    }
    return new JobSettings(jobs,
        integer(section, "batchSize", 5000, 1, "jobs.batchSize"),
        enabled,
        Duration.ofSeconds(integer(section, "checkSeconds", 30, 1, "jobs.checkSeconds")),
        Duration.ofMinutes(integer(section, "runTimeoutMinutes", 10, 1, "jobs.runTimeoutMinutes")),
        Duration.ofMinutes(integer(section, "staleRunMinutes", 60, 1, "jobs.staleRunMinutes")));
  }

  /** A configured job by name. */
  public Optional<Job> job(String name) {
    return jobs.stream().filter(j -> j.name().equals(name)).findFirst();
  }

  private static int integer(JsonObject o, String field, int fallback, int min, String key) {
    Object v = o.getValue(field);
    if (v == null) return fallback;
    long n;
    if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
      n = num.longValue();
    } else if (v instanceof String s && s.trim().matches("-?\\d{1,10}")) {
      n = Long.parseLong(s.trim());
    } else {
      throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
    }
    if (n < min || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(key + " must be an integer of at least " + min + ", got " + n);
    }
    return (int) n;
  }
}
