"""Seed the service directory from the review's sources and IBIC's life areas."""

from django.db import migrations

LIFE_AREAS = [
    ("larande", "Lärande och att tillämpa kunskap"),
    ("allmanna-uppgifter", "Allmänna uppgifter och krav"),
    ("kommunikation", "Kommunikation"),
    ("forflyttning", "Förflyttning"),
    ("personlig-vard", "Personlig vård"),
    ("hemliv", "Hemliv"),
    ("relationer", "Mellanmänskliga interaktioner och relationer"),
    ("utbildning-arbete", "Utbildning, arbete, sysselsättning och ekonomiskt liv"),
    ("samhallsgemenskap", "Samhällsgemenskap, socialt och medborgerligt liv"),
    ("trygghet", "Känsla av trygghet"),
]

# name, organisation, needs decision, target group, contact
SERVICES = [
    ("Supportteamet", "municipality", False,
     "Personer över 18 år med psykisk ohälsa som behöver kortvarigt stöd i vardagen",
     "Kommunens kontaktcenter"),
    ("NPF-teamet", "municipality", False,
     "Personer som har eller misstänker ADHD och/eller autism", "Kommunens kontaktcenter"),
    ("Tinget – Vux-kvällar", "municipality", False,
     "Unga vuxna 16–35 år; öppet två kvällar i veckan", "Tinget"),
    ("Träffpunkter", "municipality", False,
     "Öppen verksamhet för alla; ingen ansökan behövs", "Kommunens kontaktcenter"),
    ("Boendestöd", "municipality", True,
     "Personer med psykisk eller neuropsykiatrisk funktionsnedsättning", "Myndighetsenheten"),
    ("KBT via nätet", "region", False,
     "Social ångest; egenanmälan via 1177, ingen remiss", "1177"),
    ("Psykiatrin", "region", False, "Vuxna med psykisk sjukdom", "Regionens psykiatri"),
    ("Vårdcentral", "region", False, "Alla; första linjens vård", "Den egna vårdcentralen"),
]


def seed(apps, schema_editor):
    LifeArea = apps.get_model("organisation", "LifeArea")
    Service = apps.get_model("organisation", "Service")
    for position, (code, name) in enumerate(LIFE_AREAS, start=1):
        LifeArea.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    for name, organisation, needs_decision, target, contact in SERVICES:
        Service.objects.get_or_create(
            name=name,
            defaults={
                "organisation": organisation,
                "needs_decision": needs_decision,
                "target_group": target,
                "contact": contact,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("organisation", "0002_service_directory_and_life_areas")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
