package dev.systemtables;

import dev.systemtables.common.ServiceBus;
import dev.systemtables.flags.FlagService;
import dev.systemtables.idempotency.IdempotencyService;
import dev.systemtables.notifications.NotificationService;
import dev.systemtables.timer.JobService;
import dev.systemtables.users.UserService;
import io.vertx.core.Vertx;

/**
 * The node's domains as their callers hold them: one typed proxy per service interface, each call a
 * node-local request to the domain's consumers (see {@link ServiceBus}). Built once per node and shared by
 * every door into the service (REST, the timer's cleanup jobs, the coming endpoints).
 */
public record Domains(
    IdempotencyService idempotency,
    FlagService flags,
    NotificationService notifications,
    UserService users,
    JobService jobs) {

  public static Domains proxies(Vertx vertx) {
    return new Domains(
        ServiceBus.proxy(vertx, IdempotencyService.class),
        ServiceBus.proxy(vertx, FlagService.class),
        ServiceBus.proxy(vertx, NotificationService.class),
        ServiceBus.proxy(vertx, UserService.class),
        ServiceBus.proxy(vertx, JobService.class));
  }
}
