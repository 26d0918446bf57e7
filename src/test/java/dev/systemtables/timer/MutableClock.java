package dev.systemtables.timer;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock the test sets by hand, to put a node before, at or after a slot without waiting. */
final class MutableClock extends Clock {

  private volatile Instant now;

  MutableClock(String iso) {
    this.now = Instant.parse(iso);
  }

  void set(String iso) {
    now = Instant.parse(iso);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
