/** oidc-provider ships no types of its own; the benchmark uses a handful of its options. */
declare module 'oidc-provider';
