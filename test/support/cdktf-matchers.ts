/**
 * cdktf's jest matchers (`toHaveResourceWithProperties`, …). Imported by the test files that use
 * them rather than set up globally, so that the other files do not load cdktf for nothing.
 */
import { setupJest } from 'cdktf/lib/testing/adapters/jest';

setupJest();
