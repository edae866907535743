/**
 * The Standard Schema v1 interface (https://standardschema.dev), declared here as the spec intends
 * so that accepting valibot, zod (3.24+), arktype or any other implementation costs no dependency.
 * Only the part a consumer needs: the `~standard` property with `validate` and the inferred types.
 *
 * @example
 * ```ts
 * import * as v from 'valibot';
 * const schema: StandardSchemaV1<unknown, { id: string }> = v.object({ id: v.string() });
 * type Order = StandardSchemaV1.InferOutput<typeof schema>; // { id: string }
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  /** What a schema exposes under `~standard`. */
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    /** The schema library, e.g. `valibot`, `zod`, `arktype`. */
    readonly vendor: string;
    /** Validates an unknown value; may be asynchronous. */
    readonly validate: (
      value: unknown,
      options?: Options | undefined,
    ) => Result<Output> | Promise<Result<Output>>;
    /** Carries the inferred types only; never set at run time. */
    readonly types?: Types<Input, Output> | undefined;
  }

  /** Vendor-specific options of `validate`. */
  interface Options {
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }

  type Result<Output> = SuccessResult<Output> | FailureResult;

  interface SuccessResult<Output> {
    /** The validated (possibly transformed) value. */
    readonly value: Output;
    /** A falsy `issues` means success. */
    readonly issues?: undefined;
  }

  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }

  interface Issue {
    readonly message: string;
    /** Where in the value the problem is: keys, or segments holding a key. */
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }

  interface PathSegment {
    readonly key: PropertyKey;
  }

  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }

  /** The type a schema accepts. */
  type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];

  /** The type a schema produces: what a validated handler receives. */
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}
