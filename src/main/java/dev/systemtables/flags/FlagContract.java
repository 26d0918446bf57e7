package dev.systemtables.flags;

/**
 * Event-bus contract of the feature-flag domain.
 *
 * <p><b>Admin requests</b> (node-local request/reply, served by {@link FlagVerticle}; bodies are
 * validated by {@link FlagRules} in the HTTP layer before they are sent). A flag is
 * {@code {"id", "name", "enabled", "description", "rolloutPercentage", "conditions", "createdBy",
 * "updatedBy", "createdAt", "updatedAt"}} (timestamps ISO-8601 UTC).
 * <ul>
 *   <li>{@link #LIST}: {@code {}} → {@code {"flags": [flag...]}} ordered by name.</li>
 *   <li>{@link #CREATE}: {@code {"actor", "name", "enabled", "description", "rolloutPercentage",
 *   "conditions"}} → the flag; {@code FLAG_NAME_TAKEN} when the name exists.</li>
 *   <li>{@link #UPDATE}: {@code {"actor", "id", "changes": {field: value...}}} → the flag. Only the
 *   fields present in {@code changes} change; {@code "conditions": null} and {@code "description": null}
 *   clear them. {@code NOT_FOUND} for an unknown id, {@code FLAG_NAME_TAKEN} on a rename to a taken name.</li>
 *   <li>{@link #DELETE}: {@code {"actor", "id"}} → null; {@code NOT_FOUND} for an unknown id.</li>
 *   <li>{@link #AUDIT}: {@code {"id"}} → {@code {"entries": [{"id", "flagId", "flagName", "action",
 *   "actor", "before", "after", "createdAt"}...]}} newest first; {@code NOT_FOUND} when the id never
 *   existed. The audit of a deleted flag stays readable.</li>
 * </ul>
 * Every create, update and delete writes its audit row and its {@code NOTIFY} in the same transaction.
 *
 * <p><b>Change signals</b>
 * <ul>
 *   <li>{@link #RELOAD_SIGNAL}: cluster-wide publish {@code {"origin": nodeId, "names": [...]}} after a
 *   write; every other clustered node reloads its snapshot. Internal: never bridged to browsers.</li>
 *   <li>{@link #NOTIFY_CHANNEL}: PostgreSQL {@code LISTEN/NOTIFY} channel, payload a JSON array of the
 *   changed names; reaches instances that share the database without sharing a cluster.</li>
 *   <li>{@link #BROWSER_ADDRESS}: each node publishes {@code {"event": "flags.changed", "names": [...]}}
 *   locally once per NOTIFY it receives, so a browser on that node hears of each change once.
 *   Names only, never conditions. The SockJS bridge lets any valid token register here.</li>
 * </ul>
 */
public final class FlagContract {

  public static final String LIST = "flags.admin.list";
  public static final String CREATE = "flags.admin.create";
  public static final String UPDATE = "flags.admin.update";
  public static final String DELETE = "flags.admin.delete";
  public static final String AUDIT = "flags.admin.audit";

  public static final String RELOAD_SIGNAL = "flags.internal.reload";
  public static final String NOTIFY_CHANNEL = "flags_changed";
  public static final String BROWSER_ADDRESS = dev.systemtables.push.BrowserAddresses.FLAGS_CHANGED;

  /** The {@code event} member of browser messages. */
  public static final String BROWSER_EVENT = "flags.changed";

  private FlagContract() {
  }
}
