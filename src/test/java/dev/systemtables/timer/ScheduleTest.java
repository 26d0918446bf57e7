package dev.systemtables.timer;

import dev.systemtables.notifications.NotificationCleanup;
import dev.systemtables.notifications.NotificationService;
import io.vertx.core.Future;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Schedule: the slots of a Quartz cron expression, in UTC")
class ScheduleTest {

  static final Schedule EVERY_SIX_HOURS = Schedule.parse("0 0 */6 * * ?");
  static final Schedule DAILY_AT_THREE = Schedule.parse("0 0 3 * * ?");

  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @ParameterizedTest(name = "at {0}: last {1}, next {2}")
  @CsvSource({
      "2030-01-01T05:00:00Z,     2030-01-01T00:00:00Z, 2030-01-01T06:00:00Z",
      "2030-01-01T05:59:59.999Z, 2030-01-01T00:00:00Z, 2030-01-01T06:00:00Z",
      "2030-01-01T06:00:00Z,     2030-01-01T06:00:00Z, 2030-01-01T12:00:00Z",
      "2030-01-01T06:00:00.001Z, 2030-01-01T06:00:00Z, 2030-01-01T12:00:00Z",
      "2030-01-01T23:59:59Z,     2030-01-01T18:00:00Z, 2030-01-02T00:00:00Z",
      "2030-03-01T01:00:00Z,     2030-03-01T00:00:00Z, 2030-03-01T06:00:00Z",
      "2028-02-28T20:00:00Z,     2028-02-28T18:00:00Z, 2028-02-29T00:00:00Z",
      // The last Sunday of March: no DST in UTC, the 02:00 hour exists and nothing shifts.
      "2030-03-31T03:00:00Z,     2030-03-31T00:00:00Z, 2030-03-31T06:00:00Z"})
  @DisplayName("Every 6 hours fires at 00:00, 06:00, 12:00 and 18:00 UTC")
  void everySixHours(String now, String last, String next) {
    assertThat(EVERY_SIX_HOURS.lastAtOrBefore(at(now))).contains(at(last));
    assertThat(EVERY_SIX_HOURS.nextAfter(at(now))).contains(at(next));
  }

  @ParameterizedTest(name = "at {0}: last {1}, next {2}")
  @CsvSource({
      "2030-01-01T02:59:59Z,     2029-12-31T03:00:00Z, 2030-01-01T03:00:00Z",
      "2030-01-01T03:00:00Z,     2030-01-01T03:00:00Z, 2030-01-02T03:00:00Z",
      "2030-01-01T03:00:00.500Z, 2030-01-01T03:00:00Z, 2030-01-02T03:00:00Z",
      "2030-01-01T19:00:00Z,     2030-01-01T03:00:00Z, 2030-01-02T03:00:00Z",
      "2030-12-31T12:00:00Z,     2030-12-31T03:00:00Z, 2031-01-01T03:00:00Z",
      "2030-10-27T01:30:00Z,     2030-10-26T03:00:00Z, 2030-10-27T03:00:00Z"})
  @DisplayName("Daily at 03:00 fires once a day at 03:00:00 UTC")
  void dailyAtThree(String now, String last, String next) {
    assertThat(DAILY_AT_THREE.lastAtOrBefore(at(now))).contains(at(last));
    assertThat(DAILY_AT_THREE.nextAfter(at(now))).contains(at(next));
  }

  @Test
  @DisplayName("A slot is 'at or before now' from its very first instant, and 'next' is always later")
  void slotBoundaries() {
    Schedule everyTwoSeconds = Schedule.parse("*/2 * * * * ?");
    assertThat(everyTwoSeconds.lastAtOrBefore(at("2030-01-01T00:00:10Z"))).contains(at("2030-01-01T00:00:10Z"));
    assertThat(everyTwoSeconds.lastAtOrBefore(at("2030-01-01T00:00:11.999Z"))).contains(at("2030-01-01T00:00:10Z"));
    assertThat(everyTwoSeconds.nextAfter(at("2030-01-01T00:00:10Z"))).contains(at("2030-01-01T00:00:12Z"));
  }

  @Test
  @DisplayName("An expression with a year may have no past slot or no future slot")
  void finiteSchedules() {
    Schedule future = Schedule.parse("0 0 0 1 1 ? 2099");
    assertThat(future.lastAtOrBefore(at("2030-01-01T00:00:00Z"))).isEmpty();
    assertThat(future.nextAfter(at("2030-01-01T00:00:00Z"))).contains(at("2099-01-01T00:00:00Z"));
    Schedule past = Schedule.parse("5 7 9 3 4 ? 2020");
    assertThat(past.lastAtOrBefore(at("2030-01-01T00:00:00Z"))).contains(at("2020-04-03T09:07:05Z"));
    assertThat(past.nextAfter(at("2030-01-01T00:00:00Z"))).isEmpty();
  }

  @Test
  @DisplayName("A manual run's slot is now to the millisecond, never a scheduled slot")
  void manualSlots() {
    assertThat(EVERY_SIX_HOURS.manualSlot(at("2030-01-01T05:12:13.456789Z"))).isEqualTo(at("2030-01-01T05:12:13.456Z"));
    assertThat(EVERY_SIX_HOURS.manualSlot(at("2030-01-01T05:12:13Z"))).isEqualTo(at("2030-01-01T05:12:13Z"));
    assertThat(EVERY_SIX_HOURS.manualSlot(at("2030-01-01T06:00:00.000300Z"))).isEqualTo(at("2030-01-01T06:00:00.001Z"));
    assertThat(EVERY_SIX_HOURS.manualSlot(at("2030-01-01T06:00:00.002Z"))).isEqualTo(at("2030-01-01T06:00:00.002Z"));
  }

  @Test
  @DisplayName("Invalid expressions are refused with cron-utils' reason")
  void invalidExpressions() {
    assertThatThrownBy(() -> Schedule.parse("0 0 25 * * ?")).hasMessageContaining("25");
    assertThatThrownBy(() -> Schedule.parse("0 3 * * *")).hasMessageContaining("5 parts");
    assertThatThrownBy(() -> Schedule.parse(" ")).hasMessageContaining("required");
    assertThat(Schedule.parse(" 0 0 3 * * ? ").expression()).isEqualTo("0 0 3 * * ?");
  }

  @Nested
  @DisplayName("JobSettings: the jobs section of conf/config.yaml")
  class Settings {

    @Test
    @DisplayName("The shipped config has the documented defaults")
    void shippedDefaults() {
      JsonObject section = dev.systemtables.testing.TestApp.baseConfig().section("jobs");
      JobSettings s = JobSettings.from(section, NAMES);
      assertThat(s.jobs()).extracting(JobSettings.Job::name)
          .containsExactly("idempotency-cleanup", "notification-cleanup");
      assertThat(s.job("idempotency-cleanup").orElseThrow().schedule()).isEqualTo(EVERY_SIX_HOURS);
      assertThat(s.job("notification-cleanup").orElseThrow().schedule()).isEqualTo(DAILY_AT_THREE);
      assertThat(s.schedulerEnabled()).isTrue();
      assertThat(s.batchSize()).isEqualTo(5000);
      assertThat(s.checkInterval()).hasSeconds(30);
      assertThat(s.runTimeout()).hasMinutes(10);
      assertThat(s.staleAfter()).hasMinutes(60);
      assertThat(readBefore(new NotificationCleanup(null, section), at("2030-04-01T03:00:00Z")))
          .isEqualTo(at("2030-01-01T03:00:00Z"));
    }

    static final List<String> NAMES = List.of("idempotency-cleanup", "notification-cleanup");

    /** The cut-off the notification cleanup asks its domain for, seen through a stand-in of the domain. */
    static Instant readBefore(NotificationCleanup shape, Instant now) {
      AtomicReference<Instant> seen = new AtomicReference<>();
      NotificationService domain = (NotificationService) Proxy.newProxyInstance(NotificationService.class.getClassLoader(),
          new Class<?>[] {NotificationService.class}, (p, m, a) -> {
            seen.set((Instant) a[0]);
            return Future.succeededFuture(0L);
          });
      shape.withDomain(domain).run(now, 10).await();
      return seen.get();
    }

    static JsonObject jobs(String idemCron, Object retention) {
      return new JsonObject()
          .put("idempotency-cleanup", new JsonObject().put("cron", idemCron))
          .put("notification-cleanup", new JsonObject().put("cron", "0 0 3 * * ?").put("retentionDays", retention));
    }

    @Test
    @DisplayName("A bad value stops start-up with a message naming the key")
    void badValues() {
      assertThatThrownBy(() -> JobSettings.from(jobs("every day", 90), NAMES))
          .hasMessageContaining("jobs.idempotency-cleanup.cron");
      assertThatThrownBy(() -> new NotificationCleanup(null, jobs("0 0 */6 * * ?", -1)))
          .hasMessageContaining("jobs.notification-cleanup.retentionDays");
      assertThatThrownBy(() -> new NotificationCleanup(null, jobs("0 0 */6 * * ?", "ninety")))
          .hasMessageContaining("jobs.notification-cleanup.retentionDays");
      assertThatThrownBy(() -> JobSettings.from(new JsonObject(), NAMES))
          .hasMessageContaining("jobs.idempotency-cleanup.cron");
      assertThatThrownBy(() -> JobSettings.from(jobs("0 0 */6 * * ?", 90).put("batchSize", 0), NAMES))
          .hasMessageContaining("jobs.batchSize");
      assertThatThrownBy(() -> JobSettings.from(jobs("0 0 */6 * * ?", 90)
          .put("runTimeoutMinutes", 30).put("staleRunMinutes", 30), NAMES))
          .hasMessageContaining("jobs.staleRunMinutes");
      assertThatThrownBy(() -> JobSettings.from(jobs("0 0 */6 * * ?", 90).put("schedulerEnabled", "yes"), NAMES))
          .hasMessageContaining("jobs.schedulerEnabled");
    }

    @Test
    @DisplayName("Retention is counted back from the run's start")
    void retention() {
      assertThat(readBefore(new NotificationCleanup(null, jobs("0 0 */6 * * ?", 7)), at("2030-01-08T03:00:00Z")))
          .isEqualTo(at("2030-01-01T03:00:00Z"));
    }
  }
}
