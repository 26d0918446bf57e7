package dev.systemtables.idempotency;

import dev.systemtables.idempotency.IdempotencyRules.Existing;
import dev.systemtables.common.BadInput;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

@DisplayName("Idempotency rules: keys, the header's forms, and the answer to a claim that finds a record")
class IdempotencyRulesTest {

  @ParameterizedTest(name = "\"{0}\" is a valid key")
  @ValueSource(strings = {"a", "order-42", "!", "~", "AZaz09!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})
  @DisplayName("Visible ASCII keys are accepted")
  void visibleAsciiIsValid(String key) {
    assertThatCode(() -> IdempotencyRules.key("key", key)).doesNotThrowAnyException();
  }

  @Test
  @DisplayName("255 characters are accepted, 256 are not")
  void lengthLimit() {
    assertThatCode(() -> IdempotencyRules.key("key", "k".repeat(255))).doesNotThrowAnyException();
    assertThatThrownBy(() -> IdempotencyRules.key("key", "k".repeat(256))).isInstanceOf(BadInput.class).hasMessageStartingWith("key ").hasMessageContaining("255");
  }

  @ParameterizedTest(name = "key {0} is refused")
  @ValueSource(strings = {"", " ", "a b", "tab\there", "nl\n", "nul\u0000", "del\u007f", "caf\u00e9", "\u2603"})
  @DisplayName("Empty keys, spaces, control characters and non-ASCII are refused, naming the field")
  void invalidKeys(String key) {
    assertThatThrownBy(() -> IdempotencyRules.key("Idempotency-Key header", key)).isInstanceOf(BadInput.class).hasMessageStartingWith("Idempotency-Key header ");
  }

  @Test
  @DisplayName("A missing key is refused")
  void nullKey() {
    assertThatThrownBy(() -> IdempotencyRules.key("key", null)).isInstanceOf(BadInput.class).hasMessage("key is required");
  }

  @ParameterizedTest(name = "header {0} means key {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "abc|abc",
      "\"abc\"|abc",
      "'\"a\\\"b\"'|a\"b",
      "'\"a\\\\b\"'|a\\b",
      "'\"'|'\"'",
      "\"abc|\"abc",
  })
  @DisplayName("The structured-field string form means the key unquoted; a plain value is the key itself")
  void headerForms(String header, String key) {
    assertThat(IdempotencyRules.keyFromHeader(header)).isEqualTo(key);
  }

  @Test
  @DisplayName("Empty quotes name an empty key, which the key check then refuses")
  void emptyQuotes() {
    assertThat(IdempotencyRules.keyFromHeader("\"\"")).isEmpty();
    assertThatThrownBy(() -> IdempotencyRules.key("key", IdempotencyRules.keyFromHeader("\"\"")))
        .isInstanceOf(BadInput.class).hasMessage("key must not be empty");
  }

  @ParameterizedTest(name = "header {0} is malformed")
  @ValueSource(strings = {"\"a\"b\"", "\"a\\x\"", "\"a\\\""})
  @DisplayName("A malformed quoted form is refused")
  void malformedQuotedForms(String header) {
    assertThat(IdempotencyRules.keyFromHeader(header)).isNull();
  }

  @Test
  @DisplayName("Only POST, PUT, PATCH and DELETE are filtered")
  void mutatingMethods() {
    assertThat(IdempotencyRules.isMutating("POST")).isTrue();
    assertThat(IdempotencyRules.isMutating("PUT")).isTrue();
    assertThat(IdempotencyRules.isMutating("PATCH")).isTrue();
    assertThat(IdempotencyRules.isMutating("DELETE")).isTrue();
    assertThat(IdempotencyRules.isMutating("GET")).isFalse();
    assertThat(IdempotencyRules.isMutating("HEAD")).isFalse();
    assertThat(IdempotencyRules.isMutating("OPTIONS")).isFalse();
  }

  @ParameterizedTest(name = "exists={0} expired={1} sameHash={2} processed={3} stale={4} → {5}")
  @CsvSource({
      // gone between the two statements, or expired: claim again
      "false, false, false, false, false, CLAIM_AGAIN",
      "true,  true,  true,  true,  false, CLAIM_AGAIN",
      "true,  true,  false, false, true,  CLAIM_AGAIN",
      // another request under the key: 422, whatever its state
      "true,  false, false, true,  false, KEY_REUSED",
      "true,  false, false, false, false, KEY_REUSED",
      "true,  false, false, false, true,  KEY_REUSED",
      // the same request
      "true,  false, true,  true,  false, REPLAY",
      "true,  false, true,  false, false, IN_PROGRESS",
      "true,  false, true,  false, true,  CLAIM_AGAIN",
  })
  @DisplayName("A claim that finds a live record replays it, waits, refuses it, or claims again")
  void decisionTable(boolean exists, boolean expired, boolean sameHash, boolean processed, boolean stale,
                     Existing expected) {
    assertThat(IdempotencyRules.decide(exists, expired, sameHash, processed, stale)).isEqualTo(expected);
  }

  @Test
  @DisplayName("Text fields are required, bounded and free of control characters; statuses are HTTP statuses")
  void textAndStatus() {
    assertThatCode(() -> IdempotencyRules.text("entityType", "payout")).doesNotThrowAnyException();
    assertThatThrownBy(() -> IdempotencyRules.text("entityType", null)).isInstanceOf(BadInput.class).hasMessage("entityType is required");
    assertThatThrownBy(() -> IdempotencyRules.text("entityType", "  ")).isInstanceOf(BadInput.class).hasMessageStartingWith("entityType ");
    assertThatThrownBy(() -> IdempotencyRules.text("requestHash", "h".repeat(256))).isInstanceOf(BadInput.class).hasMessageStartingWith("requestHash ");
    assertThatThrownBy(() -> IdempotencyRules.text("requestHash", "a\u0001")).isInstanceOf(BadInput.class).hasMessageStartingWith("requestHash ");
    assertThatCode(() -> IdempotencyRules.status("responseStatus", 201)).doesNotThrowAnyException();
    assertThatThrownBy(() -> IdempotencyRules.status("responseStatus", null)).isInstanceOf(BadInput.class).hasMessageStartingWith("responseStatus ");
    assertThatThrownBy(() -> IdempotencyRules.status("responseStatus", 99)).isInstanceOf(BadInput.class).hasMessageStartingWith("responseStatus ");
    assertThatThrownBy(() -> IdempotencyRules.status("responseStatus", 600)).isInstanceOf(BadInput.class).hasMessageStartingWith("responseStatus ");
  }
}
