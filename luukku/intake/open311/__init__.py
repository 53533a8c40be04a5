"""The Open311 GeoReport v2 API with the CitySDK and 6Aika extensions, at /open311/v2/."""
