// asl-validator ships JavaScript only; this is the part of its API the tests use.
declare module 'asl-validator' {
  const validator: (definition: unknown, options?: Record<string, unknown>) => { isValid: boolean; errors: unknown[] };
  export default validator;
}
