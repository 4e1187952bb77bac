import { describe, expect, it } from 'vitest';
import { mongoClientOptions } from '@/lib/db/mongo-options';

describe('mongoClientOptions', () => {
  it('defaults to majority writes and reads on the primary, with retried writes', () => {
    expect(mongoClientOptions('mongodb://db-1,db-2,db-3/?replicaSet=rs0&tls=true')).toEqual({
      serverSelectionTimeoutMS: 5_000,
      appName: 'propagate',
      writeConcern: { w: 'majority', wtimeoutMS: 10_000 },
      readConcern: { level: 'majority' },
      readPreference: 'primary',
      retryWrites: true,
    });
  });

  it('leaves to the URI whatever it sets (names compared without case, as the driver does)', () => {
    const options = mongoClientOptions(
      'mongodb://db-1/?replicaSet=rs0&W=2&readConcernLevel=local&READPREFERENCE=nearest&retryWrites=false',
    );
    expect(options).not.toHaveProperty('writeConcern');
    expect(options).not.toHaveProperty('readConcern');
    expect(options).not.toHaveProperty('readPreference');
    expect(options).not.toHaveProperty('retryWrites');
    expect(mongoClientOptions('mongodb://db-1/?wtimeoutMS=500')).not.toHaveProperty('writeConcern');
  });
});
