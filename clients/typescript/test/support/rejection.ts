import assert from "node:assert/strict";
import { TokenServiceError } from "../../src/errors.js";

/** The TokenServiceError `promise` rejects with; fails the test if it succeeds or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<TokenServiceError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof TokenServiceError, `expected a TokenServiceError, got ${String(e)}`);
    return e;
  }
  assert.fail("the call succeeded");
}
