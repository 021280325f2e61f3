// Values the global setup hands to test files through `inject()`. Each server
// the setup starts adds its key here.
declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a superuser connection to the test server's `postgres` database. */
    pgAdminUrl: string;
    /** URL of a JetStream-enabled nats-server (`nats://host:port`). */
    natsUrl: string;
    /** `host:port` of a Temporal frontend (namespace `default`, Ameide search attributes registered). */
    temporalAddress: string;
    /** An S3-compatible server (versitygw unless `AMEIDE_TEST_S3_URL` names another) and its root account. */
    s3: {
      /** `http://host:port`, path-style addressing. */
      endpoint: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
    };
    /** A Kafka cluster (a single-node KRaft broker unless `AMEIDE_TEST_KAFKA_BROKERS` names another). */
    kafka: {
      /** Bootstrap addresses, `host:port`. */
      brokers: string[];
    };
    /** A Keycloak server (started in the background unless `AMEIDE_TEST_KEYCLOAK_URL` names one) and its master-realm admin. */
    keycloak: {
      /** `http://host:port`. */
      url: string;
      admin: { username: string; password: string };
    };
  }
}

export {};
