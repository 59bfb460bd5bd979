export * from './client';
export * from './errors';
export { encryptPassword, maxPasswordBytes, RAGFLOW_DEFAULT_PUBLIC_KEY, validatePublicKeyPem } from './password';
export { type Generation, GENERATIONS, type Operation } from './routes';
export { normalizeServerUrl, originPattern, type ServerUrl } from './server-url';
