from django.urls import path

from vikno.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.appeal, name="appeal"),
    path("settlements/", views.settlements, name="settlements"),
    path("track/", views.track, name="track"),
    path("track/feedback/", views.feedback, name="feedback"),
    path("track/end/", views.track_end, name="track_end"),
]
