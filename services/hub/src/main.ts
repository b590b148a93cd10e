import { PROTOCOL_VERSION } from '@flotilla/contracts';
import { Injectable } from '@nestjs/common';
@Injectable()
class X { constructor(private readonly a: Date) {} }
console.log(PROTOCOL_VERSION, Reflect.getMetadata ? 'meta' : 'nometa', X.name);
