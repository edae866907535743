/** The four required variables, valid. */
export const REQUIRED_ENV = Object.freeze({
  AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
  AWS_LAMBDA_FUNCTION_NAME: 'my-function',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
});

export const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI-secret-access-key-value';
export const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjE-session-token-value';
export const CONTAINER_TOKEN = 'container-authorization-token-value';
export const METADATA_TOKEN = 'lambda-metadata-token-value';

/** Every variable the reader maps, as Lambda would set them, secrets included. */
export const FULL_ENV = Object.freeze({
  ...REQUIRED_ENV,
  _HANDLER: 'index.handler',
  LAMBDA_TASK_ROOT: '/var/task',
  LAMBDA_RUNTIME_DIR: '/var/runtime',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/my-function',
  AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/14/[$LATEST]425d',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
  AWS_LAMBDA_LOG_LEVEL: 'DEBUG',
  AWS_LAMBDA_MAX_CONCURRENCY: '8',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN: SESSION_TOKEN,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9001/2021-04-23/credentials',
  AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN,
  AWS_LAMBDA_METADATA_API: '169.254.100.1:9001',
  AWS_LAMBDA_METADATA_TOKEN: METADATA_TOKEN,
  AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
  MY_SETTING: 'configured',
});

export const SECRET_VALUES = [SECRET_ACCESS_KEY, SESSION_TOKEN, CONTAINER_TOKEN, METADATA_TOKEN];
