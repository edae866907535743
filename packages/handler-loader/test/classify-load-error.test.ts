import { ImportModuleError, MalformedHandlerNameError, UserCodeSyntaxError } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { classifyLoadError } from '../src/classify-load-error.js';

describe('classifyLoadError', () => {
  it('wraps a SyntaxError with the user stack when loading does not parse', () => {
    const cause = new SyntaxError('Unexpected token');

    const error = classifyLoadError(cause, "module 'app'");

    expect(error).toBeInstanceOf(UserCodeSyntaxError);
    expect((error as Error).message).toBe("SyntaxError: Unexpected token (in module 'app')");
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).stack).toContain(cause.stack?.split('\n')[1]);
  });

  it('wraps a MODULE_NOT_FOUND when a require while loading finds nothing', () => {
    const cause = Object.assign(new Error("Cannot find module 'x'"), { code: 'MODULE_NOT_FOUND' });

    const error = classifyLoadError(cause, "module 'app'");

    expect(error).toBeInstanceOf(ImportModuleError);
    expect((error as Error).message).toBe("Error importing module 'app': Cannot find module 'x'");
  });

  it("returns the user's own error unchanged when it is neither", () => {
    const cause = new RangeError('config missing');

    const error = classifyLoadError(cause, "module 'app'");

    expect(error).toBe(cause);
  });

  it("returns the runtime's own error unchanged when loading already classified it", () => {
    const cause = new MalformedHandlerNameError('bad');

    const error = classifyLoadError(cause, "module 'app'");

    expect(error).toBe(cause);
  });
});
