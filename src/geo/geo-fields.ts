/** What every database schema is normalised to: one shape, whatever file answered. */
export interface GeoFields {
  countryIsoCode?: string;
  countryName?: string;
  regionName?: string;
  cityName?: string;
  postalCode?: string;
  latitude?: number;
  longitude?: number;
  accuracyRadiusKm?: number;
  timezone?: string;
  asNumber?: number;
  asOrganization?: string;
}
