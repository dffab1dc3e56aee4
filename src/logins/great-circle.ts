/** A point on the Earth in decimal degrees, as the databases give it. */
export interface Coordinates {
  lat: number;
  lon: number;
}

// The mean radius (IUGG): the haversine formula on a sphere is within 0.5 % of the ellipsoid,
// far below the error of IP geolocation itself.
const EARTH_RADIUS_KM = 6371.0088;

/** The great-circle distance between two points, in km (haversine). Pure. */
export function greatCircleKm(from: Coordinates, to: Coordinates): number {
  const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = toRadians(to.lat - from.lat);
  const dLon = toRadians(to.lon - from.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(from.lat)) * Math.cos(toRadians(to.lat)) * Math.sin(dLon / 2) ** 2;
  // min(1, …): rounding can push h a hair above 1 for antipodal points, and asin(>1) is NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
