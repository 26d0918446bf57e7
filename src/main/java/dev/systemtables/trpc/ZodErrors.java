package dev.systemtables.trpc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * {@code error.data.zodError} as create-t3-app's error formatter sends it for invalid input:
 * zod's {@code flatten()}, {@code {"formErrors": [msg...], "fieldErrors": {"field": [msg...]}}}.
 *
 * <p>The service's rules name the offending field first in every message ({@code title must not be empty},
 * {@code conditions.userRoles[0] must be one of ...}). A message is listed under the top-level input field it
 * starts with, as zod lists an issue under the first segment of its path; a message about the input as a
 * whole ({@code exactly one of userId, userIds, userRole is required}) goes to {@code formErrors}.
 */
final class ZodErrors {

  private ZodErrors() {
  }

  static JsonObject flatten(String message, Set<String> inputFields) {
    JsonObject fieldErrors = new JsonObject();
    JsonArray formErrors = new JsonArray();
    String field = topLevelField(message);
    if (field != null && inputFields.contains(field)) {
      fieldErrors.put(field, new JsonArray().add(message));
    } else {
      formErrors.add(message);
    }
    return new JsonObject().put("formErrors", formErrors).put("fieldErrors", fieldErrors);
  }

  /** The first segment of the field path a message starts with ({@code userIds} of {@code userIds[3] must ...}). */
  static String topLevelField(String message) {
    if (message == null || message.isEmpty()) return null;
    int end = 0;
    while (end < message.length() && (Character.isLetterOrDigit(message.charAt(end)) || message.charAt(end) == '_')) {
      end++;
    }
    return end == 0 ? null : message.substring(0, end);
  }
}
