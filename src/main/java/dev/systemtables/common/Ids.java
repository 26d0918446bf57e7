package dev.systemtables.common;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

/** Service-generated ids: UUIDv7, so they sort by creation time and index well. */
public final class Ids {

  private static final TimeBasedEpochGenerator V7 = Generators.timeBasedEpochGenerator();

  private Ids() {
  }

  /** A new time-ordered UUID (RFC 9562 version 7) as text. */
  public static String next() {
    return V7.generate().toString();
  }
}
