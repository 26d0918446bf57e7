package dev.systemtables.notifications;

import dev.systemtables.common.ApiException;
import dev.systemtables.common.Batches;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Page;
import dev.systemtables.common.RateLimiter;
import dev.systemtables.push.Pushes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The notification operations. Shared by every event loop's consumer: it holds no per-call state, and
 * its collaborators (pool, counters, rate limiter) are safe to use from any event loop.
 *
 * <p>Every change announces itself to the inbox counters before it writes and applies its delta after
 * the commit (see {@link InboxCounters}), then pushes the user's new unread count with the event.
 */
final class NotificationServiceImpl implements NotificationService {

  static final String CREATE_BUCKET = "notification-create";
  static final String MARK_BUCKET = "notification-mark-read";

  /** Per-caller limits: creates per hour (one hit per call, whatever its recipients), marks per minute. */
  record Limits(int createsPerHour, int marksPerMinute) {
  }

  private final NotificationStore store;
  private final InboxCounters counters;
  private final RateLimiter limiter;
  private final Pushes pushes;
  private final Limits limits;
  private final boolean totalsCached;
  private final InboxPages pages;

  NotificationServiceImpl(NotificationStore store, InboxCounters counters, RateLimiter limiter, Pushes pushes,
                          Limits limits, boolean totalsCached, int cachedPages) {
    this.store = store;
    this.pages = new InboxPages(store, cachedPages);
    this.counters = counters;
    this.limiter = limiter;
    this.pushes = pushes;
    this.limits = limits;
    this.totalsCached = totalsCached;
  }

  @Override
  public Future<Page<Notification>> list(String userId, NotificationQuery q) {
    if (q.after() != null) {
      return store.after(userId, q).compose(p -> p != null ? Future.succeededFuture(p)
          : Future.failedFuture(ApiException.notFound("after names no notification of yours: " + q.after())));
    }
    // One statement per page: the total comes from the counters when the filters are ones they cover.
    if (!totalsCached || !q.onlyReadFilter()) return store.countedPage(userId, q);
    return counters.read(userId).compose(reading -> {
      NotificationStore.Counts c = reading.counts();
      long total = q.read() == null ? c.total() : q.read() ? c.total() - c.unread() : c.unread();
      return pages.page(userId, q, reading.generation()).map(items -> new Page<>(items, total));
    });
  }

  @Override
  public Future<Long> unreadCount(String userId) {
    return counters.counts(userId).map(NotificationStore.Counts::unread);
  }

  @Override
  public Future<ReadReceipt> markRead(String userId, String notificationId) {
    return limitMarks(userId).compose(x -> changing(userId, change -> store.markRead(notificationId, userId)
        .compose(marked -> {
          if (marked == null) return Future.failedFuture(noSuch(notificationId));
          ReadReceipt receipt = new ReadReceipt(marked.id(), marked.readAt());
          if (!marked.changed()) return counters.abort(change).map(receipt);
          return counters.commit(change, -1, 0).map(counts -> {
            pushes.toUser(userId, NotificationEvents.read(receipt, counts.get(userId)));
            return receipt;
          });
        })));
  }

  @Override
  public Future<Integer> markAllRead(String userId) {
    return limitMarks(userId).compose(x -> changing(userId, change -> store.readAll(userId)
        .compose(updated -> counters.commit(change, -updated, 0).map(counts -> {
          pushes.toUser(userId, NotificationEvents.readAll(updated, counts.get(userId)));
          return updated;
        }))));
  }

  @Override
  public Future<Void> delete(String userId, String notificationId) {
    return changing(userId, change -> store.delete(notificationId, userId).compose(wasUnread -> {
      if (wasUnread == null) return Future.failedFuture(noSuch(notificationId));
      return counters.commit(change, wasUnread ? -1 : 0, -1).map(counts -> {
        pushes.toUser(userId, NotificationEvents.deleted(notificationId, counts.get(userId)));
        return null;
      });
    }));
  }

  @Override
  public Future<Delivery> create(String actor, NewNotification n) {
    if (n.recipients() instanceof NewNotification.Users u && u.ids().isEmpty()) {
      return Future.failedFuture(noRecipient("userIds is empty: the notification has no recipient"));
    }
    return limiter.hit(CREATE_BUCKET, actor, limits.createsPerHour(), Duration.ofHours(1))
        .compose(x -> n.recipients() instanceof NewNotification.RoleHolders r
            ? store.roleHolders(r.role().name())
            : Future.succeededFuture(((NewNotification.Users) n.recipients()).ids()))
        .compose(users -> {
          if (users.isEmpty()) return Future.failedFuture(noRecipient("the notification has no recipient"));
          boolean listed = n.recipients() instanceof NewNotification.Users;
          return counters.begin(users).compose(change -> store.insert(actor, users, listed, n).transform(ar -> {
            if (ar.failed()) {
              Throwable t = ar.cause() instanceof NotificationStore.UnknownUsers u ? unknownUsers(u.ids) : ar.cause();
              return counters.abort(change).compose(y -> Future.failedFuture(t));
            }
            return delivered(change, ar.result());
          }));
        });
  }

  /** Applies and pushes a committed create; recipients who got nothing (gone meanwhile) withdraw their tickets. */
  private Future<Delivery> delivered(InboxCounters.Change change, List<Notification> created) {
    List<String> recipients = created.stream().map(Notification::userId).toList();
    Set<String> got = new HashSet<>(recipients);
    List<String> none = change.users().stream().filter(u -> !got.contains(u)).toList();
    Future<Void> withdrawn = none.isEmpty() ? Future.succeededFuture()
        : counters.abort(new InboxCounters.Change(change.ticket(), none));
    if (created.isEmpty()) return withdrawn.compose(x -> Future.failedFuture(noRecipient("the notification has no recipient")));
    return withdrawn
        .compose(x -> counters.commit(new InboxCounters.Change(change.ticket(), recipients), 1, 1))
        .map(unread -> {
          created.forEach(c -> pushes.toUser(c.userId(), NotificationEvents.created(c, unread.get(c.userId()))));
          int count = created.size();
          return new Delivery(count, count <= NotificationRules.MAX_LISTED_IDS
              ? created.stream().map(Notification::id).toList() : List.of());
        });
  }

  @Override
  public Future<RecipientCount> countRecipients(NewNotification.Recipients recipients) {
    if (recipients instanceof NewNotification.RoleHolders r) {
      return store.roleHolderCount(r.role().name()).map(n -> new RecipientCount(n, List.of()));
    }
    List<String> ids = ((NewNotification.Users) recipients).ids();
    return ids.isEmpty() ? Future.succeededFuture(new RecipientCount(0, List.of())) : store.listedCount(ids);
  }

  @Override
  public Future<Page<Send>> sends(SendQuery query) {
    return store.sends(query);
  }

  @Override
  public Future<Long> purgeRead(Instant readBefore, int batchSize) {
    // Read rows only, so unread counts stay; totals of the users concerned are rebuilt.
    return Batches.drain(batchSize, size -> store.purgeReadBatch(readBefore, size).compose(perUser ->
        counters.invalidate(perUser.keySet())
            .map(x -> perUser.values().stream().mapToInt(Integer::intValue).sum())));
  }

  /**
   * Runs a change of one user's inbox between its announcement to the counters and their update; a failed
   * change withdraws its announcement.
   */
  private <T> Future<T> changing(String userId, Function<InboxCounters.Change, Future<T>> write) {
    return counters.begin(List.of(userId)).compose(change -> write.apply(change)
        .recover(t -> counters.abort(change).compose(x -> Future.failedFuture(t))));
  }

  private Future<Void> limitMarks(String userId) {
    return limiter.hit(MARK_BUCKET, userId, limits.marksPerMinute(), Duration.ofMinutes(1));
  }

  private static ApiException noSuch(String id) {
    return ApiException.notFound("no notification " + id);
  }

  private static ApiException noRecipient(String detail) {
    return new ApiException(ErrorCode.UNPROCESSABLE, detail);
  }

  private static ApiException unknownUsers(List<String> ids) {
    int shown = Math.min(ids.size(), 20);
    String named = String.join(", ", ids.subList(0, shown)) + (ids.size() > shown ? " and " + (ids.size() - shown) + " more" : "");
    return new ApiException(ErrorCode.UNPROCESSABLE, "userIds names unknown users: " + named
        + "; nothing was created", new JsonObject().put("unknownUserIds", new JsonArray(new ArrayList<>(ids))));
  }

}
