import { ignitionModule } from './ignition-module';
import { Product } from './product';

/** Ignition MQTT Engine: the host application's client, signed by the Engine CA. */
export const MQTT_ENGINE = new Product(ignitionModule('mqtt-engine', 'MQTT Engine'));
