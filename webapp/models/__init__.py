"""All models, imported here so that Alembic and ``db.create_all`` see every table."""

from webapp.models.accounts import Account, OAuthState, OnboardingData
from webapp.models.api_calls import ApiCall
from webapp.models.listings import Feed, Instruction, Listing, ListingTemplate
from webapp.models.logs import ActivityLog, AppSetting, CronLog
from webapp.models.orders import Order, OrderEvent, OrderItem, OrderShipment
from webapp.models.policies import Policy
from webapp.models.store import CatalogProduct, Store
from webapp.models.sync import Watermark
from webapp.models.users import Role, User

__all__ = [
    "Account",
    "ActivityLog",
    "ApiCall",
    "AppSetting",
    "CatalogProduct",
    "CronLog",
    "Feed",
    "Instruction",
    "Listing",
    "ListingTemplate",
    "OAuthState",
    "OnboardingData",
    "Order",
    "OrderEvent",
    "OrderItem",
    "OrderShipment",
    "Policy",
    "Role",
    "Store",
    "User",
    "Watermark",
]
