/** The Cityscapes labelIds the synthetic scenes use. */
import { labelIdByName } from '../labels';

export const LABEL = {
  road: labelIdByName('road'),
  sidewalk: labelIdByName('sidewalk'),
  building: labelIdByName('building'),
  wall: labelIdByName('wall'),
  fence: labelIdByName('fence'),
  pole: labelIdByName('pole'),
  trafficLight: labelIdByName('traffic light'),
  trafficSign: labelIdByName('traffic sign'),
  vegetation: labelIdByName('vegetation'),
  terrain: labelIdByName('terrain'),
  sky: labelIdByName('sky'),
  person: labelIdByName('person'),
  rider: labelIdByName('rider'),
  car: labelIdByName('car'),
  bicycle: labelIdByName('bicycle'),
} as const;
