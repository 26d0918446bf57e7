package dev.systemtables.users;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.systemtables.auth.Caller;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;

/**
 * Records every authenticated caller in the users directory without a database round trip
 * on the hot path: the node remembers what it has written for each user and writes again
 * only on first sight or when the token's role, brand or creator changes.
 * One instance per node, shared by all HTTP verticle instances.
 */
public final class CallerRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(CallerRecorder.class);

  private final UserService users;
  private final Cache<String, String> recorded;

  public CallerRecorder(UserService users, long maxEntries) {
    this.users = users;
    this.recorded = CacheBuilder.newBuilder().maximumSize(maxEntries).build();
  }

  /** Completes once the caller is known to be recorded; a failed write is logged, never fails the request. */
  public Future<Void> record(Caller caller) {
    String fingerprint = caller.directoryFingerprint();
    if (fingerprint.equals(recorded.getIfPresent(caller.sub()))) {
      return Future.succeededFuture();
    }
    return users.recordCaller(caller)
        .onSuccess(x -> recorded.put(caller.sub(), fingerprint))
        .recover(t -> {
          LOG.warn("could not record caller {}: {}", caller.sub(), t.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Forgets users an admin just wrote, so their next request records them from the token again. */
  public void forget(Collection<String> ids) {
    recorded.invalidateAll(ids);
  }

  /** Whether the node believes this caller is recorded as shown (for tests and diagnostics). */
  public boolean remembers(Caller caller) {
    return caller.directoryFingerprint().equals(recorded.getIfPresent(caller.sub()));
  }
}
