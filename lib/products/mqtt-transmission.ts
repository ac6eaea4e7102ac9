import { ignitionModule } from './ignition-module';
import { Product } from './product';

/** Ignition MQTT Transmission: an edge gateway's client, signed by the Transmission CA. */
export const MQTT_TRANSMISSION = new Product(ignitionModule('mqtt-transmission', 'MQTT Transmission'));
